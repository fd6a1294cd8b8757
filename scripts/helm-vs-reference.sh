#!/usr/bin/env bash
# Renders the test charts (crates/cli/tests/fixtures/helm/CHART, one `### ARGS` heading per
# command line in CHART.expected) with `opsdojo helm-template` and with helm (fetched under
# target/tools the first time), and compares them byte for byte.
# Usage: bash scripts/helm-vs-reference.sh [--record]   (--record rewrites the expected files
# from helm's output)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
helm="$(bash scripts/reference-tool.sh helm)"
cargo build --quiet -p opsdojo-cli
fixtures=crates/cli/tests/fixtures/helm
status=0
for expected in "$fixtures"/*.expected; do
  chart="$(basename "$expected" .expected)"
  recorded=""
  while IFS= read -r heading; do
    args="${heading#\#\#\# }"
    # The chart's name in the heading stands for its directory.
    read -r -a words <<< "$args"
    for i in "${!words[@]}"; do
      [ "${words[$i]}" = "$chart" ] && words[$i]="$fixtures/$chart"
    done
    theirs="$("$helm" template "${words[@]}" 2>&1)" || { echo "helm failed on $chart: $args"; status=1; }
    ours="$(./target/debug/opsdojo helm-template "${words[@]}" 2>&1)" || true
    if [ "$theirs" = "$ours" ]; then
      echo "same: $chart $args"
    else
      echo "DIFFERENT: $chart $args"
      diff <(echo "$theirs") <(echo "$ours") | head -20 || true
      status=1
    fi
    recorded+="$heading"$'\n'"$theirs"$'\n'
  done < <(grep '^### ' "$expected")
  if [ "${1:-}" = "--record" ]; then
    printf '%s' "$recorded" > "$expected"
  fi
done
exit "$status"
