"""No public name of ``orasx`` is ever shadowed by a submodule, whatever was imported before."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import pytest

import orasx

SUBMODULES = sorted(
    m.name for m in pkgutil.walk_packages(orasx.__path__, "orasx.")
    if not m.name.startswith("orasx.cli")  # the CLI is not part of the library's import graph
)


def test_no_submodule_is_named_like_a_public_name():
    top_level = {name.split(".")[1] for name in SUBMODULES}
    assert sorted(top_level & set(orasx.__all__)) == []


@pytest.mark.parametrize("order", ["public-first", "modules-first"])
def test_public_names_keep_their_kind_after_importing_every_submodule(order):
    # A fresh interpreter per order: a submodule import binds its name on the package, which
    # used to replace the function orasx.copy with the module orasx.copy.
    code = f"""
import importlib, inspect, json
import orasx
mods = {SUBMODULES!r}
names = {sorted(orasx.__all__)!r}
first = {order!r} == "public-first"
if first:
    before = {{n: type(getattr(orasx, n)).__name__ for n in names}}
for m in mods:
    importlib.import_module(m)
after = {{n: inspect.ismodule(getattr(orasx, n)) for n in names}}
print(json.dumps(after))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    shadowed = [n for n, is_module in json.loads(out.stdout).items() if is_module]
    assert shadowed == []


def test_readme_library_copy_runs_after_push(tmp_path):
    # The README's library example: orasx.push (which imports the copy engine), then orasx.copy.
    code = f"""
import os, orasx
os.chdir({str(tmp_path)!r})
open("artifact.txt", "w").write("hello\\n")
orasx.push("src-layout:v1", ["artifact.txt"], oci_layout=True)
src = orasx.OCILayoutStore("src-layout")
dst = orasx.OCILayoutStore("dst-layout")
desc = orasx.copy(src, "v1", dst, "v1")
print(desc.digest)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("sha256:")

def test_api_names_load_on_first_use_and_match_all():
    # orasx.api loads a verb's module when it is first asked for: a pull does not import the
    # backup or graph code. Every listed name resolves, and nothing is listed twice or missing.
    code = """
import json, sys
import orasx.api as api
before = sorted(m for m in sys.modules if m.startswith("orasx.api."))
from orasx.api import pull
after_pull = sorted(m for m in sys.modules if m.startswith("orasx.api."))
missing = [n for n in api.__all__ if getattr(api, n, None) is None]
print(json.dumps([before, after_pull, missing, sorted(api.__all__) == sorted(api._EXPORTS)]))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    before, after_pull, missing, same = json.loads(out.stdout)
    assert before == []
    assert "orasx.api._pull" in after_pull
    assert "orasx.api._backup" not in after_pull and "orasx.api._graph" not in after_pull
    assert missing == [] and same
