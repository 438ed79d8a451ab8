# Sourced by the other scripts: make .venv with orasx installed (and its test tools with TEST=1).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# apt-get that waits (up to 10 minutes) for another apt or dpkg to finish instead of failing at
# once: DPkg::Lock::Timeout covers dpkg's lock, the loop the others (`update` ignores the option).
apt_get() {
  local waited=0 rc out
  while :; do
    rc=0
    out="$(apt-get -o DPkg::Lock::Timeout=600 "$@" 2>&1)" || rc=$?
    [ "$rc" != 0 ] || return 0
    if [ "$waited" -ge 600 ] || ! grep -q "Could not get lock" <<<"$out"; then
      printf '%s\n' "$out" >&2
      echo "apt-get $* failed (exit $rc)" >&2
      return "$rc"
    fi
    [ "$waited" != 0 ] || echo "waiting for another apt/dpkg to finish (up to 10 minutes)..." >&2
    sleep 5
    waited=$((waited + 5))
  done
}
apt_install() {
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt_get update -qq
    apt_get install -y -qq "$@"
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
