#!/usr/bin/env bash
# Build dist/oras (or the path given): one file holding orasx and its dependency (rich),
# runnable by any Python 3.11+ (`./dist/oras version`, `python3 dist/oras version`).
# Uses pip (of $PYTHON, default python3) to fetch the dependencies.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY="${PYTHON:-python3}"
OUT="$(realpath -m "${1:-$ROOT/dist/oras}")"
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
"$PY" -m pip install -q --disable-pip-version-check --no-compile --target "$build/app" "$ROOT"
rm -rf "$build/app"/bin "$build/app"/*.dist-info
mkdir -p "$(dirname "$OUT")"
"$PY" -m zipapp "$build/app" -m "orasx.cli.main:main" -p "/usr/bin/env python3" -c -o "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
chmod +x "$OUT"
echo "built $OUT ($(du -h "$OUT" | cut -f1))"
