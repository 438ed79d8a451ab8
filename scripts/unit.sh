#!/usr/bin/env bash
# The fast unit tier (seconds): pure and in-process tests only, no registry, server or command.
# Installs orasx and its test tools into .venv first if needed. Extra arguments go to pytest.
TEST=1 source "$(dirname "$0")/bootstrap.sh"
exec python -m pytest -q -p no:cacheprovider -m unit "$@"
