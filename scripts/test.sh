#!/usr/bin/env bash
# Install everything the tests need (Distribution registry, htpasswd, Python tools) and run them.
# The registries the tests use are started and stopped by the test suite itself.
TEST=1 source "$(dirname "$0")/bootstrap.sh"
need=()
command -v docker-registry >/dev/null || need+=(docker-registry)
command -v htpasswd >/dev/null || need+=(apache2-utils)
command -v skopeo >/dev/null || need+=(skopeo)
[ -x /usr/bin/time ] || need+=(time)
[ ${#need[@]} -eq 0 ] || apt_install "${need[@]}"
# oras-py, the peer the interop tests run against, lives in a venv of its own.
if [ ! -x .venv-oras-py/bin/python ]; then
  python3 -m venv .venv-oras-py
  .venv-oras-py/bin/python -m pip install -q --disable-pip-version-check oras
fi
export ORASX_TEST_ORAS_PY="$ROOT/.venv-oras-py/bin/python"
echo "== ruff"; ruff check src tests bench examples
echo "== mypy"; mypy
echo "== pytest"; export ORASX_SOAK_SECONDS="${ORASX_SOAK_SECONDS:-30}"
exec python -m pytest -q -p no:cacheprovider "$@"
