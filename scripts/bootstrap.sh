# Sourced by the other scripts: make .venv with orasx installed (and its test tools with TEST=1).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
apt_install() {
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq "$@" >/dev/null
  else
    echo "missing system packages: $* (run as root or install them)" >&2
    exit 1
  fi
}
# Debian's own python3 (what `pipx install .` uses), the lowest Python a machine here has; a venv
# built from it is usable by every local user (the second-user tests run it).
PY=/usr/bin/python3
[ -x "$PY" ] || PY="$(command -v python3 || true)"
if [ -z "$PY" ] || ! "$PY" -c 'import venv, ensurepip' 2>/dev/null; then
  apt_install python3 python3-venv python3-pip
  PY=/usr/bin/python3
fi
if [ -x .venv/bin/python ] && ! grep -qx "executable = $(readlink -f "$PY")" .venv/pyvenv.cfg; then
  rm -rf .venv  # made by another interpreter
fi
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
if [ "${TEST:-0}" = 1 ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
else
  .venv/bin/python -m pip install -q --disable-pip-version-check -e .
fi
export PATH="$ROOT/.venv/bin:$PATH"
