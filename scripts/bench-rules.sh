#!/usr/bin/env bash
# A day-long rule unit test run by `opsdojo rules-test` and by promtool, side by side.
#
# The test: 480 counter series scraped every 15 s for 24 hours (3 environments, 8 routes,
# 4 statuses, 5 pods), 5 rules evaluated every 15 s (four recording rules and an alert with
# `for: 5m`), checked at the end of the day. promtool comes from Debian's `prometheus`
# package, downloaded and unpacked under target/tools the first time (no root needed).
# Usage: bash scripts/bench-rules.sh [HOURS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
hours="${1:-24}"
steps=$((hours * 240))
work="target/bench-rules"
mkdir -p "$work"

promtool="$(bash scripts/reference-tool.sh promtool)"

cat > "$work/rules.yml" <<'EOF'
groups:
  - name: bench
    interval: 15s
    rules:
      - record: route:requests:rate5m
        expr: sum by (env, route) (rate(http_requests_total[5m]))
      - record: route:errors:rate5m
        expr: sum by (env, route) (rate(http_requests_total{status=~"5.."}[5m]))
      - record: route:error_ratio:rate5m
        expr: route:errors:rate5m / route:requests:rate5m
      - record: env:requests:rate5m
        expr: sum by (env) (route:requests:rate5m)
      - alert: RouteErrors
        expr: route:error_ratio:rate5m > 0.05
        for: 5m
        labels:
          severity: page
EOF

{
  echo "rule_files: [rules.yml]"
  echo "evaluation_interval: 15s"
  echo "tests:"
  echo "  - interval: 15s"
  echo "    input_series:"
  for env in dev staging prod; do
    for route in 1 2 3 4 5 6 7 8; do
      for status in 200 404 500 503; do
        for pod in 1 2 3 4 5; do
          case "$status" in
            200) per_step=$((route * 3 + pod)) ;;
            404) per_step=1 ;;
            *) per_step=0 ;;
          esac
          # From the middle of the day, prod's route 1 fails a request in six.
          if [ "$env/$route/$status" = "prod/1/500" ]; then
            values="0+0x$((steps / 2)) 0+$((route * 3 + pod))x$((steps / 2))"
          else
            values="0+${per_step}x${steps}"
          fi
          echo "      - series: 'http_requests_total{env=\"$env\",route=\"r$route\",status=\"$status\",pod=\"p$pod\"}'"
          echo "        values: '$values'"
        done
      done
    done
  done
  echo "    alert_rule_test:"
  echo "      - eval_time: ${hours}h"
  echo "        alertname: RouteErrors"
  echo "        exp_alerts:"
  echo "          - exp_labels: {severity: page, env: prod, route: r1}"
  echo "    promql_expr_test:"
  # Counts, not sums: Prometheus versions add floats in different orders.
  echo "      - expr: count(route:requests:rate5m)"
  echo "        eval_time: ${hours}h"
  echo "        exp_samples:"
  echo "          - value: 24"
} > "$work/day.test.yml"

cargo build --quiet --profile native -p opsdojo-cli
time_of() {
  local start end
  start=$(date +%s.%N)
  "$@" > "$work/last.out" 2>&1 || { cat "$work/last.out" >&2; echo "FAILED: $*" >&2; exit 1; }
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}
echo "a ${hours}-hour rule test: 480 series at 15 s, 5 rules every 15 s"
ours=$(time_of target/native/opsdojo rules-test "$work/day.test.yml")
theirs=$(time_of "$promtool" test rules "$work/day.test.yml")
printf '  opsdojo rules-test     %6.2f s\n' "$ours"
printf '  promtool test rules    %6.2f s  (%s)\n' "$theirs" "$("$promtool" --version 2>&1 | head -1)"
printf '  opsdojo is %.1f times as fast\n' "$(echo "$theirs / $ours" | bc -l)"
