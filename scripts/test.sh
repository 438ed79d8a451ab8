#!/usr/bin/env bash
# Install everything the tests need (Distribution registry, htpasswd, Python tools) and run them:
# ruff, mypy (Linux, Windows and macOS), then the whole suite on Debian's own python3 (.venv), then
# the unit tier and the real-registry round trip (-m matrix) on every other supported CPython this
# machine has (ORASX_EXTRA_PYTHONS, default "3.12 3.13", found in pyenv or on PATH; one that is
# missing is skipped with a line saying so). Ends with each interpreter's counts and time.
# The registries the tests use are started and stopped by the test suite itself.
# Extra arguments go to the main pytest run.
TEST=1 source "$(dirname "$0")/bootstrap.sh"
need=()
command -v docker-registry >/dev/null || need+=(docker-registry)
command -v htpasswd >/dev/null || need+=(apache2-utils)
command -v skopeo >/dev/null || need+=(skopeo)
command -v umoci >/dev/null || need+=(umoci)
command -v pipx >/dev/null || need+=(pipx)
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
for platform in win32 darwin; do
  echo "== mypy --platform $platform"
  mypy --platform "$platform" --cache-dir ".mypy_cache/$platform"
done

summary=()  # one line per interpreter
total_passed=0 total_failed=0 total_skipped=0 status=0
# run_pytest LABEL PYTHON ARGS...: run pytest, keep its closing counts and time for the summary.
run_pytest() {
  local label="$1" py="$2" log rc=0 start=$SECONDS passed failed skipped errors
  shift 2
  log="$(mktemp)"
  "$py" -m pytest -q -p no:cacheprovider "$@" 2>&1 | tee "$log" || rc=$?
  count() { grep -oE "[0-9]+ $1" <(tail -n 3 "$log") | tail -n 1 | cut -d' ' -f1 || true; }
  passed="$(count passed)" failed="$(count failed)" skipped="$(count skipped)"
  errors="$(count 'errors?')"
  passed=${passed:-0} failed=$(( ${failed:-0} + ${errors:-0} )) skipped=${skipped:-0}
  rm -f "$log"
  if [ "$rc" != 0 ] && [ "$failed" = 0 ]; then failed=1; fi  # a crash or nothing collected
  [ "$rc" = 0 ] || status=1
  total_passed=$((total_passed + passed)) total_failed=$((total_failed + failed))
  total_skipped=$((total_skipped + skipped))
  summary+=("$(printf '%-48s %5d passed, %d failed, %d skipped in %ds' "$label" "$passed" "$failed" \
    "$skipped" $((SECONDS - start)))")
}

main_py="$(.venv/bin/python -c 'import platform; print(platform.python_version())')"
echo "== pytest: Python $main_py ($(readlink -f .venv/bin/python)), the whole suite"
export ORASX_SOAK_SECONDS="${ORASX_SOAK_SECONDS:-30}"
run_pytest "Python $main_py (.venv, whole suite)" .venv/bin/python "$@"

# find_python X.Y: the newest CPython X.Y.* from pyenv, else pythonX.Y on PATH; empty if none.
find_python() {
  local root="" candidate
  if command -v pyenv >/dev/null; then root="$(pyenv root)"; fi
  root="${root:-${PYENV_ROOT:-$HOME/.pyenv}}"
  for candidate in $(ls -d "$root/versions/$1".* 2>/dev/null | sort -V -r) \
                   "$(command -v "python$1" || true)"; do
    candidate="${candidate%/}"
    [ -d "$candidate" ] && candidate="$candidate/bin/python$1"
    if [ -x "$candidate" ] && "$candidate" -c "import sys, venv, ensurepip
sys.exit(sys.implementation.name != 'cpython' or '%d.%d' % sys.version_info[:2] != '$1')" 2>/dev/null
    then
      echo "$candidate"
      return
    fi
  done
}

extra="${ORASX_EXTRA_PYTHONS-3.12 3.13}"
if [ -z "${extra// /}" ]; then
  echo "== other Pythons: none asked for (ORASX_EXTRA_PYTHONS is empty): skipped"
  summary+=("other Pythons: skipped (ORASX_EXTRA_PYTHONS is empty)")
fi
for version in $extra; do
  py="$(find_python "$version")"
  venv=".venv-py$version"
  if [ -z "$py" ]; then
    echo "== Python $version: not on this machine (no pyenv build, no python$version): skipped"
    summary+=("$(printf '%-48s skipped: not on this machine' "Python $version")")
    continue
  fi
  if [ -x "$venv/bin/python" ] && ! grep -qx "executable = $(readlink -f "$py")" "$venv/pyvenv.cfg"
  then
    rm -rf "$venv"  # made by another interpreter
  fi
  [ -x "$venv/bin/python" ] || "$py" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -e '.[test]' 2>&1 |
    { grep -v "is neither a file nor a directory" || true; }
  full="$("$venv/bin/python" -c 'import platform; print(platform.python_version())')"
  echo "== pytest: Python $full ($py), the unit tier and the round trip"
  run_pytest "Python $full ($venv, unit + round trip)" "$venv/bin/python" -m "unit or matrix" tests
done

echo "== matrix"
printf '%s\n' "${summary[@]}"
echo "total: $total_passed passed, $total_failed failed, $total_skipped skipped"
exit "$status"
