#!/usr/bin/env bash
# Installs every tool postclick needs, idempotently, and prints the environment to use them.
# Usage: eval "$(scripts/bootstrap.sh)"   (progress goes to stderr, exports to stdout)
# A second run only checks. Everything comes from crates.io, npm or Debian.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

WORKER_BUILD_VERSION=0.8.7
TOOLS="${POSTCLICK_TOOLS:-$HOME/.cache/postclick/tools}"
say() { printf 'bootstrap: %s\n' "$*" >&2; }

# The wasm-bindgen CLI must match the wasm-bindgen crate exactly; Cargo.toml pins it with `=`.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/[^0-9.]/, ""); print; exit}' Cargo.lock)
[ -n "$WASM_BINDGEN_VERSION" ] || { say "cannot read the wasm-bindgen version from Cargo.lock"; exit 1; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown >&2
fi
for c in clippy rustfmt; do
  rustup component list --installed 2>/dev/null | grep -q "^$c" || rustup component add "$c" >&2
done

install_crate() { # crate version binary
  local dir="$TOOLS/$1-$2"
  if [ ! -x "$dir/bin/$3" ]; then
    say "installing $1 $2 into $dir (a few minutes, once per machine)"
    # --locked first for reproducibility; when a locked transitive crate is missing from the
    # registry (it happens with yanked crates), fall back to the newest compatible versions.
    cargo install "$1" --version "$2" --locked --root "$dir" >&2 ||
      cargo install "$1" --version "$2" --root "$dir" >&2
  fi
}
install_crate worker-build "$WORKER_BUILD_VERSION" worker-build
install_crate wasm-bindgen-cli "$WASM_BINDGEN_VERSION" wasm-bindgen
# What the wasm is made of (`twiggy top`, `twiggy dominators`; README "Benchmarks"). Only
# `make wasm-size` needs it (POSTCLICK_WANT_TWIGGY=1), so the test run does not compile it.
TWIGGY_VERSION=0.7.0
if [ "${POSTCLICK_WANT_TWIGGY:-}" = 1 ]; then
  install_crate twiggy "$TWIGGY_VERSION" twiggy
fi

# schemathesis for the contract run (tests/contract), from PyPI, every package pinned by
# tests/contract/requirements.txt; the venv's name carries the version and the file's hash, so a
# changed pin installs a fresh one and a rerun is a no-op.
SCHEMATHESIS_VERSION=$(sed -n 's/^schemathesis==//p' tests/contract/requirements.txt)
st_hash=$(sha256sum tests/contract/requirements.txt | cut -c1-12)
st_dir="$TOOLS/schemathesis-$SCHEMATHESIS_VERSION-$st_hash"
if [ ! -f "$st_dir/.installed" ]; then
  say "installing schemathesis $SCHEMATHESIS_VERSION into $st_dir"
  rm -rf "$st_dir"
  python3 -m venv "$st_dir" >&2
  "$st_dir/bin/pip" install --quiet --disable-pip-version-check --no-deps \
    -r tests/contract/requirements.txt >&2
  touch "$st_dir/.installed"
fi

apt_missing=()
command -v chromium >/dev/null || apt_missing+=(chromium)
command -v wrk >/dev/null || apt_missing+=(wrk)
command -v sqlite3 >/dev/null || apt_missing+=(sqlite3)
command -v openssl >/dev/null || apt_missing+=(openssl)
if [ ${#apt_missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${apt_missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${apt_missing[@]}" >&2
fi

# Meta's own parameter builder (PyPI), pinned, in a venv of its own: a test holds our _fbc to it.
CAPI_BUILDER_VERSION=1.3.2
capi_dir="$TOOLS/capi-param-builder-python-$CAPI_BUILDER_VERSION"
if [ ! -x "$capi_dir/bin/python" ] || ! "$capi_dir/bin/python" -c 'import capi_param_builder' 2>/dev/null; then
  say "installing capi-param-builder-python $CAPI_BUILDER_VERSION into $capi_dir"
  python3 -m venv "$capi_dir" >&2 || {
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get install -y -qq python3-venv >&2 && python3 -m venv "$capi_dir" >&2
  }
  "$capi_dir/bin/pip" install --quiet --disable-pip-version-check "capi-param-builder-python==$CAPI_BUILDER_VERSION" >&2
fi

# Install the locked npm packages when package-lock.json changed since the last install.
# `npm ci` would refuse this lock: the registry reachable here lacks workerd's macOS and Windows
# builds, so the lock cannot list them. `npm install --no-save` installs exactly what the lock
# pins for this platform and never rewrites it.
stamp=node_modules/.postclick-lock.sha
want=$(sha256sum package-lock.json package.json | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  say "installing npm packages from package-lock.json"
  npm install --no-save --no-audit --no-fund --loglevel=error >&2
  echo "$want" > "$stamp"
fi

if [ ! -f .dev.vars ]; then
  say "writing .dev.vars with a fresh ADMIN_TOKEN and SIGNING_KEY"
  umask 077
  {
    echo "ADMIN_TOKEN=\"pca_$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')\""
    echo "SIGNING_KEY=\"$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')\""
  } > .dev.vars
fi

cat <<ENV
export PATH="$root/node_modules/.bin:$TOOLS/worker-build-$WORKER_BUILD_VERSION/bin:$TOOLS/twiggy-$TWIGGY_VERSION/bin:\$PATH"
export WASM_BINDGEN_BIN="$TOOLS/wasm-bindgen-cli-$WASM_BINDGEN_VERSION/bin/wasm-bindgen"
export WASM_OPT_BIN="$root/node_modules/.bin/wasm-opt"
export ESBUILD_BIN="$root/node_modules/.bin/esbuild"
export POSTCLICK_META_PYTHON="$capi_dir/bin/python"
export SCHEMATHESIS="$st_dir/bin/st"
ENV
