#!/usr/bin/env bash
# Build dist/oras: one file holding orasx and its dependencies (click, rich, urllib3), runnable by
# any Python 3.11+ (`./dist/oras version`). Uses pip to fetch the dependencies.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY="${PYTHON:-python3}"
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
"$PY" -m pip install -q --disable-pip-version-check --no-compile --target "$build/app" "$ROOT"
rm -rf "$build/app"/bin "$build/app"/*.dist-info
mkdir -p "$ROOT/dist"
"$PY" -m zipapp "$build/app" -m "orasx.cli.main:main" -p "/usr/bin/env python3" -c \
  -o "$ROOT/dist/oras.tmp"
mv "$ROOT/dist/oras.tmp" "$ROOT/dist/oras"
chmod +x "$ROOT/dist/oras"
echo "built $ROOT/dist/oras ($(du -h "$ROOT/dist/oras" | cut -f1))"
