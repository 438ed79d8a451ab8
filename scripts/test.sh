#!/usr/bin/env bash
# Install everything the tests need (Distribution registry, htpasswd, Python tools) and run them.
# The registries the tests use are started and stopped by the test suite itself.
TEST=1 source "$(dirname "$0")/bootstrap.sh"
if ! command -v docker-registry >/dev/null || ! command -v htpasswd >/dev/null; then
  apt_install docker-registry apache2-utils
fi
echo "== ruff"; ruff check src tests bench examples
echo "== mypy"; mypy
echo "== pytest"; exec python -m pytest -q -p no:cacheprovider "$@"
