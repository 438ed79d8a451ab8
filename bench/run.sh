#!/usr/bin/env bash
# Install the benchmark's peers (Distribution, curl, Go + oras-go v1.1.1, oras-py in its own venv)
# and run bench/run.py; arguments pass through (e.g. --quick, --runs 5, --orasx-rev HEAD).
# The Go oras CLI is taken from ../shared/tools/oras-go/oras (--go-cli PATH), skipped when absent.
set -euo pipefail
source "$(dirname "$0")/../scripts/bootstrap.sh"
need=()
command -v docker-registry >/dev/null || need+=(docker-registry)
command -v curl >/dev/null || need+=(curl)
command -v go >/dev/null || need+=(golang-go)
[ -d /usr/share/gocode/src/oras.land/oras-go ] || need+=(golang-oras-oras-go-dev)
[ -x /usr/bin/time ] || need+=(time)
[ ${#need[@]} -eq 0 ] || apt_install "${need[@]}"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/orasx-bench"
mkdir -p "$cache"
if [ ! -x "$cache/oras-py/bin/python" ]; then
  python3 -m venv "$cache/oras-py"
  "$cache/oras-py/bin/pip" install -q --disable-pip-version-check oras
fi
if [ ! -x "$cache/orasgo" ] || [ bench/orasgo/main.go -nt "$cache/orasgo" ]; then
  rm -rf "$cache/gopath" && mkdir -p "$cache/gopath/src/orasgo"
  cp bench/orasgo/main.go "$cache/gopath/src/orasgo/"
  (cd "$cache/gopath/src/orasgo" && GO111MODULE=off GOPATH="$cache/gopath:/usr/share/gocode" \
    GOFLAGS= go build -o "$cache/orasgo" .)
fi
exec python bench/run.py --oras-py "$cache/oras-py/bin/python" --orasgo "$cache/orasgo" "$@"
