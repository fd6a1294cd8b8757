#!/usr/bin/env bash
# Installs what building and testing opsdojo needs, skipping what is already there.
# Sourced by scripts/serve.sh, scripts/build.sh and scripts/test.sh; safe to run again.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! trunk --version 2>/dev/null | grep -q '0.21.14'; then
  say "installing trunk 0.21.14 (about 6 minutes)"
  cargo install trunk --version 0.21.14 --locked
fi

wasm_bindgen_version=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"$/\1/p')
if ! wasm-bindgen --version 2>/dev/null | grep -q "$wasm_bindgen_version"; then
  say "installing wasm-bindgen-cli $wasm_bindgen_version"
  cargo install wasm-bindgen-cli --version "$wasm_bindgen_version"
fi

if [ "${OPSDOJO_NEEDS_LEPTOSFMT:-0}" = 1 ] && ! command -v leptosfmt >/dev/null; then
  say "installing leptosfmt"
  cargo install leptosfmt --locked
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages"
  npm ci --no-audit --no-fund
fi

if [ "${OPSDOJO_NEEDS_CHROMIUM:-0}" = 1 ] && { [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; }; then
  say "installing chromium and chromedriver from Debian"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver
fi

# The release build splits the app's module in two (scripts/split.mjs) with Debian's binaryen.
if [ "${OPSDOJO_NEEDS_CHROMIUM:-0}" = 1 ] && ! command -v wasm-split >/dev/null; then
  say "installing binaryen (wasm-split) from Debian"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y binaryen
fi

if [ ! -f public/vendor/editor.js ] || [ -n "$(find editor package-lock.json -newer public/vendor/editor.js 2>/dev/null)" ]; then
  say "bundling the editor with esbuild"
  npm run -s build:editor
fi
