#!/usr/bin/env bash
# Fuzzes every entry point a user's text reaches, each for SECONDS (default 60), with
# libFuzzer through cargo-fuzz. Installs the nightly toolchain and cargo-fuzz when missing,
# seeds each target's corpus from the repository's own files, and exits non-zero on any crash,
# leak, timeout or out-of-memory (the input that caused it is kept under fuzz/artifacts/).
#
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]
#   FUZZ_RUNS=10000000 bash scripts/fuzz.sh 0 promql   # a number of executions instead of time
#
# Targets are built without AddressSanitizer: the engine has no `unsafe` code, panics, hangs and
# memory growth are what fuzzing looks for here, and ASan made executions ten times slower
# (a query that takes 2.7 s instrumented took 36 s with it). FUZZ_SANITIZER=address brings it back.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$HOME/.cargo/bin:$PATH"
say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }

seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(promql test_script rules alertmanager terraform helm kubectl lesson platform progress checkpoint share game)
fi

if ! rustup toolchain list | grep -q '^nightly'; then
  say "installing the nightly toolchain"
  rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  say "installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

# Seeds: the repository's own files of each kind, and the hand-written ones in fuzz/seeds/.
# Copied over the corpus's copies of the same names, so that a seed brought up to date (a new
# checkpoint format, a lesson rewritten) replaces the one an earlier run kept.
seed() {
  local target=$1
  shift
  mkdir -p "fuzz/corpus/$target"
  if [ -d "fuzz/seeds/$target" ]; then
    cp fuzz/seeds/"$target"/* "fuzz/corpus/$target/" 2>/dev/null || true
  fi
  local file
  for file in "$@"; do
    [ -f "$file" ] && cp "$file" "fuzz/corpus/$target/$(echo "$file" | tr '/' '_')"
  done
  return 0
}
shopt -s nullglob globstar
seed promql
# Every objective query of the shipped lessons, one per seed.
grep -ho 'query: .*' lessons/**/*.md | sed 's/^query: //; s/^"//; s/"$//' | sort -u | head -200 |
  while IFS= read -r query; do
    printf '%s' "$query" > "fuzz/corpus/promql/lesson-$(printf '%s' "$query" | cksum | cut -d' ' -f1)"
  done
seed test_script
# One seed per conformance case: the loads in effect and one `eval`, so that an execution runs
# one case rather than a whole file of hundreds.
for file in ../shared/conformance/promql/*.test; do
  awk -v out="fuzz/corpus/test_script/$(basename "$file" .test)" 'BEGIN { RS = "" }
    { while ($0 ~ /^#/) sub(/^[^\n]*\n?/, "") }
    /^clear/ { loads = ""; next }
    /^load/ { loads = loads $0 "\n\n"; next }
    /^eval/ { n++; printf "%s%s\n", loads, $0 > (out "-" n); close(out "-" n) }' "$file"
done
seed rules
# Each conformance rule test with the first rule file it names.
for file in ../shared/conformance/rules/*.yml; do
  rules=$(sed -n '/^rule_files:/{n;s/^ *- *//p;}' "$file" | head -1)
  [ -n "$rules" ] && [ -f "../shared/conformance/rules/$rules" ] || continue
  { cat "../shared/conformance/rules/$rules"; printf '\0'; cat "$file"; } \
    > "fuzz/corpus/rules/conformance-$(basename "$file")"
done
seed alertmanager
seed terraform crates/engine/terraform/*.tf crates/engine/terraform/vars/*.tfvars
seed helm crates/engine/chart/templates/* crates/engine/chart/values.yaml
seed kubectl
seed lesson lessons/**/*.md
seed platform crates/engine/platform.yaml lessons/*/*/platform.yaml
seed progress
seed checkpoint
seed share
seed game

say "building ${#targets[@]} fuzz targets"
sanitizer="${FUZZ_SANITIZER:-none}"
for target in "${targets[@]}"; do cargo +nightly fuzz build --release -s "$sanitizer" "$target"; done

failed=()
mkdir -p target/fuzz-logs
for target in "${targets[@]}"; do
  say "fuzzing $target for ${seconds}s${FUZZ_RUNS:+ or $FUZZ_RUNS runs}"
  log="target/fuzz-logs/$target.log"
  # A checkpoint's seed body is larger than the other inputs.
  max_len=65536
  [ "$target" = checkpoint ] && max_len=131072
  # A query within its budget may take a second natively, three times that with coverage
  # instrumentation, and the promql target runs three; a fuzzer beside a build runs slower
  # still. A hang is far longer.
  args=(-timeout=60 -rss_limit_mb=2048 -max_len="$max_len" -print_final_stats=1)
  if [ -n "${FUZZ_RUNS:-}" ]; then args+=(-runs="$FUZZ_RUNS"); fi
  if [ "$seconds" != 0 ]; then args+=(-max_total_time="$seconds"); fi
  if cargo +nightly fuzz run --release -s "$sanitizer" "$target" "fuzz/corpus/$target" -- "${args[@]}" >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    secs=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | grep -o 'in [0-9]*' | grep -o '[0-9]*' | tail -1)
    printf '    %-13s %12s executions in %ss, no crash\n' "$target" "${runs:-?}" "${secs:-$seconds}"
  else
    failed+=("$target")
    printf '    %-13s CRASHED: see %s and fuzz/artifacts/%s/\n' "$target" "$log" "$target"
    grep -E '^(==|SUMMARY|thread|panicked)' "$log" | head -5 | sed 's/^/      /'
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing found crashes in: ${failed[*]}"
  exit 1
fi
echo "fuzzing: ${#targets[@]} targets, no crash"
