# postclick: every target installs what it needs first (scripts/bootstrap.sh, idempotent).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
BOOT := eval "$$(scripts/bootstrap.sh)"

.PHONY: dev test bench bench-scale bench-postbacks wasm-size build lint unit integration contract browser fmt clean

## make dev: build, migrate local D1, seed the demo, serve on http://127.0.0.1:8787
dev:
	@$(BOOT); scripts/build.sh
	@$(BOOT); CI=true wrangler d1 migrations apply DB --local >/dev/null
	@$(BOOT); CI=true wrangler d1 execute DB --local --file scripts/seed-demo.sql >/dev/null
	@scripts/demo-banner.sh
	@$(BOOT); POSTCLICK_SKIP_BUILD=1 wrangler dev --ip 127.0.0.1 --port 8787 \
	  --var ALLOW_PRIVATE_TARGETS:true --var SERVER_TIMING:true --show-interactive-dev-session=false

## make test: formatting, clippy (native + wasm32), unit tests, integration and browser tests,
## then schemathesis against the running worker (the contract run)
test: lint unit build integration contract

lint:
	@$(BOOT); cargo fmt --all -- --check
	@$(BOOT); cargo clippy --all-targets --locked -- -D warnings
	@$(BOOT); cargo clippy --lib --target wasm32-unknown-unknown --locked -- -D warnings

unit:
	@$(BOOT); cargo test --locked

build:
	@$(BOOT); scripts/build.sh

integration:
	@$(BOOT); node tests/run.mjs $$(ls -d tests/integration tests/browser 2>/dev/null | while read d; do ls $$d/*.test.mjs >/dev/null 2>&1 && echo $$d; done)

## make contract: schemathesis, every check on, against the built worker (tests/contract/run.mjs)
contract: build
	@$(BOOT); node tests/contract/run.mjs

## make bench: release build on plain workerd against the baselines a user would pick instead
## (an empty JS worker, the hello-world workers-rs worker in benches/hello, a JS click capture)
bench: build benches/hello/build/index.js
	@$(BOOT); cargo bench --locked --bench template -- --noplot 2>&1 | grep -E '^(pixel|\s+time:|\s+thrpt:)'
	@$(BOOT); node benches/run.mjs

# The hello-world workers-rs worker, built with the same worker-build and wasm-bindgen, into its
# own target dir; rebuilt only when its sources change (make test never needs it).
HELLO_SRC := benches/hello/Cargo.toml benches/hello/Cargo.lock benches/hello/src/lib.rs
benches/hello/build/index.js: $(HELLO_SRC) scripts/bootstrap.sh
	@$(BOOT); cd benches/hello && CARGO_TARGET_DIR=$(CURDIR)/target/bench-hello worker-build --release
	@touch $@

## make bench-scale: the hot paths and the webhook log page before and after filling D1 with
## 1,000,000 clicks, 200,000 events and 100,000 deliveries (benches/scale.mjs)
bench-scale: build benches/hello/build/index.js
	@$(BOOT); BENCH_SCALE=1 node benches/run.mjs

## make wasm-size: what the release wasm is made of. The release profile strips names, so this
## builds the same code with names kept (into target/names) and runs twiggy on rustc's output.
wasm-size:
	@$(BOOT); CARGO_PROFILE_RELEASE_STRIP=false CARGO_TARGET_DIR=$(CURDIR)/target/names \
	  cargo build --release --lib --target wasm32-unknown-unknown --locked
	@export POSTCLICK_WANT_TWIGGY=1; $(BOOT); twiggy top -n 25 target/names/wasm32-unknown-unknown/release/postclick.wasm

## make bench-postbacks: 10,000 postbacks through the local queue to a local receiver, then the
## ledger run (30% receiver failures, a worker restart mid-run; a lost postback fails it)
bench-postbacks: build
	@$(BOOT); node benches/postbacks.mjs && node benches/postbacks_ledger.mjs

fmt:
	cargo fmt --all

clean:
	rm -rf build dist target .wrangler tests/artifacts bench-out
