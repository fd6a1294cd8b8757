#!/usr/bin/env bash
# Runs the exact-value rule tests (tests/exact) with `opsdojo rules-test` and with promtool
# (Debian's, fetched under target/tools the first time): both must print SUCCESS, digit for digit.
# Usage: bash scripts/exact-vs-promtool.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
promtool="$(bash scripts/reference-tool.sh promtool)"
cargo build --quiet -p opsdojo-cli
status=0
for file in tests/exact/*.yml; do
  echo "== $file"
  echo "-- opsdojo rules-test"
  ./target/debug/opsdojo rules-test "$file" || status=1
  echo "-- $("$promtool" --version 2>&1 | head -n 1)"
  (cd "$(dirname "$file")" && "$promtool" test rules "$(basename "$file")") || status=1
done
exit "$status"
