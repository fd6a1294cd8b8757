#!/usr/bin/env bash
# Builds the release into dist/, as a static host serves it: Trunk's build, then its module split
# in two so that a first visit downloads only what it runs (scripts/split.mjs).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export OPSDOJO_NEEDS_CHROMIUM=1
source scripts/setup.sh
trunk build --release --offline
node scripts/split.mjs dist
