#!/usr/bin/env bash
# Builds the worker into build/ with the pinned toolchain. wrangler runs this as its build command.
# POSTCLICK_SKIP_BUILD=1 skips it when the caller already built (the test and bench harnesses).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${POSTCLICK_SKIP_BUILD:-0}" = 1 ] && [ -f build/index.js ]; then
  exit 0
fi
eval "$(scripts/bootstrap.sh)"
exec worker-build --release
