"""The seams inside ``orasx.registry``: which module may import which, and how big they get.

Pure modules (URLs, errors, options, auth, retry) import no I/O layer; the transport knows
nothing of auth or stores; retry and auth wrap the transport; the stores sit on the client; the
``Repository`` facade sits on the stores.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import orasx.registry

PACKAGE = Path(orasx.registry.__file__).parent
PURE = {"_urls", "_errors", "_options", "auth", "retry"}
MAY_IMPORT = {
    "_urls": set(),
    "_errors": {"_urls"},
    "_options": {"retry"},
    "auth": set(),
    "retry": set(),
    "credentials": {"auth"},
    "_sockets": {"_errors"},
    "_transport": {"_errors", "_options", "_sockets", "_urls"},
    "_retrying": {"_transport", "_urls", "retry"},
    "_authflow": {"_errors", "_transport", "_urls", "auth"},
    "_http": {"_authflow", "_options", "_retrying", "_transport", "_urls", "auth"},
    "_listing": {"_errors", "_http", "_urls"},
    "_uploads": {"_errors", "_http", "_urls", "auth"},
    "_blobs": {"_errors", "_http", "_rangedget", "_uploads", "_urls", "auth"},
    "_rangedget": {"_errors", "_fileio", "_http"},
    "_fileio": set(),
    "_referrers": {"_errors", "_http", "_listing", "_urls", "auth"},
    "_manifests": {"_errors", "_http", "_listing", "_referrers", "_urls", "auth"},
    "_ranges": {"_errors", "_http", "_urls"},
    "_streams": {"_errors", "_http", "_uploads", "_urls"},
    "_pushplan": set(),
    "remote": {"_blobs", "_errors", "_http", "_listing", "_manifests", "_pushplan", "_ranges",
               "_referrers", "_streams", "_urls"},
}


def _registry_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "orasx.registry":
                found.update(a.name for a in node.names)
            elif node.module.startswith("orasx.registry."):
                found.add(node.module.split(".")[2])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[2] for a in node.names
                         if a.name.startswith("orasx.registry."))
    return found


MODULES = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")


def test_every_module_has_a_place_in_the_map():
    assert set(MODULES) == set(MAY_IMPORT)


@pytest.mark.parametrize("module", MODULES)
def test_module_imports_only_its_lower_seams(module):
    assert _registry_imports(PACKAGE / f"{module}.py") <= MAY_IMPORT[module]


@pytest.mark.parametrize("module", sorted(PURE))
def test_pure_modules_import_no_http_library(module):
    text = (PACKAGE / f"{module}.py").read_text()
    assert "socket" not in text and "urllib.request" not in text
    if module != "_errors":  # it recognises urllib3's TLS error class, and sends nothing
        assert "urllib3" not in text


@pytest.mark.parametrize("module", MODULES)
def test_no_module_is_over_400_lines(module):
    assert len((PACKAGE / f"{module}.py").read_text().splitlines()) <= 400
