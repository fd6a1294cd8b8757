#!/usr/bin/env bash
# Builds opsdojo and serves it on http://127.0.0.1:8080/, rebuilding on change.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
exec trunk serve --release --offline "$@"
