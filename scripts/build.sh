#!/usr/bin/env bash
# Builds the worker into build/ with the pinned toolchain, and the Workers Static Assets
# (`[assets]` in wrangler.toml) into build/assets/. wrangler runs this as its build command.
# POSTCLICK_SKIP_BUILD=1 skips the worker build when the caller already built (the test and bench
# harnesses); the assets folder is then only created if it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# The console (assets/console/, served at /admin and /admin/assets/*), the OpenAPI document
# (served at /admin/api/openapi.json, minified: assets/openapi.json stays pretty for people and
# diffs) and their headers (assets/_headers). Built next to the folder, then swapped in.
static_assets() {
  local out=build/assets tmp="build/assets.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp/admin/assets" "$tmp/admin/api"
  cp assets/console/index.html "$tmp/admin.html" # auto-trailing-slash serves admin.html at /admin
  find assets/console -maxdepth 1 -type f ! -name index.html -exec cp {} "$tmp/admin/assets/" \;
  # Python's json keeps every integer exact (JavaScript's JSON.parse would round 2^64 - 1).
  python3 -c 'import json, sys; json.dump(json.load(open(sys.argv[1])), open(sys.argv[2], "w"), separators=(",", ":"), ensure_ascii=False)' \
    assets/openapi.json "$tmp/admin/api/openapi.json"
  cp assets/_headers "$tmp/_headers"
  rm -rf "$out"
  mv "$tmp" "$out"
}

if [ "${POSTCLICK_SKIP_BUILD:-0}" = 1 ] && [ -f build/index.js ]; then
  [ -f build/assets/_headers ] || static_assets
  exit 0
fi
eval "$(scripts/bootstrap.sh)"
worker-build --release
static_assets
