#!/usr/bin/env bash
# Builds the release (scripts/build.sh) and serves it on http://127.0.0.1:8080/ as a static host
# would. With --watch, serves Trunk's build instead (one module, not split) and rebuilds on change.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ "${1:-}" = "--watch" ]; then
  shift
  source scripts/setup.sh
  exec trunk serve --release --offline "$@"
fi
bash scripts/build.sh
exec node scripts/serve-dist.mjs 8080 dist
