#!/usr/bin/env bash
# Runs Prometheus's PromQL test scripts (../shared/conformance/promql) against the engine and
# fails if fewer cases pass than the recorded baseline, so the figure only goes up.
# The full per-case report is written to target/promql-conformance.txt.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
suite=../shared/conformance/promql
if ! ls "$suite"/*.test >/dev/null 2>&1; then
  echo "conformance: no test scripts in $suite" >&2
  exit 1
fi
cargo build --quiet -p opsdojo-cli
report=target/promql-conformance.txt
./target/debug/opsdojo promql-test -v "$suite"/*.test > "$report" || true
read -r passed failed skipped < <(tail -n 1 "$report" | sed -E 's/^([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\1 \2 \3/')
baseline=$(sed -n 's/^promql_passed=//p' tests/conformance-baseline.txt)
echo "promql conformance: ${passed} of $((passed + failed)) in-scope cases pass, ${skipped} out of scope (baseline ${baseline}); report in ${report}"
if [ "$passed" -lt "$baseline" ]; then
  echo "conformance: fewer cases pass than the baseline" >&2
  exit 1
fi

# promtool's rule unit tests: every test file in the suite must pass.
rules=../shared/conformance/rules
rule_tests=$(grep -l '^tests:' "$rules"/*.yml)
./target/debug/opsdojo rules-test $rule_tests
echo "rules conformance: $(echo "$rule_tests" | wc -l) test files pass"

# Printed values compared exactly, as promtool computes them (see tests/exact/values.yml).
./target/debug/opsdojo rules-test tests/exact/*.yml
echo "exact values: $(grep -c 'expr:' tests/exact/*.yml | awk -F: '{s+=$NF} END {print s}') cases pass digit for digit"
