#!/usr/bin/env bash
# Runs every check opsdojo has: formatting, lints, native tests, lesson checks, the release
# build, the bundle size budget and the browser end-to-end suite. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export OPSDOJO_NEEDS_LEPTOSFMT=1 OPSDOJO_NEEDS_CHROMIUM=1
source scripts/setup.sh

say "formatting"
cargo fmt --all --check
leptosfmt --check src >/dev/null

say "lints"
cargo clippy --workspace --exclude opsdojo-web --all-targets --quiet -- -D warnings
cargo clippy -p opsdojo-web --target wasm32-unknown-unknown --quiet -- -D warnings

say "native tests"
cargo test --workspace --exclude opsdojo-web

say "promql conformance"
bash scripts/conformance.sh

say "lesson checks"
cargo run --quiet -p opsdojo-cli -- lessons check lessons

say "release build"
bash scripts/build.sh

say "bundle size"
node scripts/bundle-report.mjs dist

say "browser end-to-end tests"
node --test --test-concurrency=1 tests/e2e/
