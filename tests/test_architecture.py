"""The public surface and the import rules of docs/architecture.md, checked exactly."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import orasx

SRC = Path(orasx.__file__).parent

VALUES = {"_lazy", "_gostr", "errors", "mediatype", "_version", "_fsutil", "retry", "_json",
          "digest", "reference", "descriptor", "fileref", "manifest"}

#: What each top-level part of the package may import (besides itself). Values import only
#: values (lower ones, by the order below); content and pack build on values; the registry
#: implements the content protocols; the copy engine knows stores only through the protocols
#: (never the registry); api composes all of them; only the CLI and ``__main__`` reach the CLI.
_VALUE_ORDER = ["_lazy", "_gostr", "errors", "mediatype", "_version", "retry", "_json", "_fsutil",
                "digest", "reference", "descriptor", "fileref", "manifest"]
ALLOWED: dict[str, set[str]] = {
    name: set(_VALUE_ORDER[:i]) for i, name in enumerate(_VALUE_ORDER)
}
ALLOWED.update({
    "content": VALUES,
    "pack": VALUES,
    "registry": VALUES | {"content"},
    "_copy": VALUES | {"content"},
    "api": VALUES | {"content", "pack", "registry", "_copy"},
    "cli": VALUES | {"content", "pack", "registry", "_copy", "api"},
    "__main__": {"cli"},
})


def _part(module: str) -> str:
    return module.split(".")[1] if module.count(".") else module


def _imports(path: Path) -> list[str]:
    """Every orasx module ``path`` imports, anywhere in it (lazy imports in functions count);
    ``from orasx import X`` counts as the module X comes from."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "orasx":
                for alias in node.names:
                    origin = orasx._EXPORTS.get(alias.name)  # type: ignore[attr-defined]
                    found.append(origin or f"orasx.{alias.name}")
            elif node.module.startswith("orasx."):
                found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("orasx.")]
    return found


def _modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC.parent).with_suffix("")
        module = ".".join(rel.parts)
        if module != "orasx.__init__":
            out.append((module, path))
    return out


def test_all_is_sorted_and_importable():
    assert orasx.__all__ == sorted(orasx.__all__)
    for name in orasx.__all__:
        assert getattr(orasx, name) is not None


def test_every_module_belongs_to_a_part():
    assert sorted({_part(m) for m, _ in _modules()} - set(ALLOWED)) == []


def test_each_part_imports_only_what_it_may():
    bad = []
    for module, path in _modules():
        own = _part(module)
        for imported in _imports(path):
            target = _part(imported)
            if target != own and target not in ALLOWED[own]:
                bad.append(f"{module} imports {imported}")
    assert bad == []


@pytest.mark.parametrize(("source", "expected"), [
    ("from orasx.registry.remote import Repository", "orasx._copy imports orasx.registry.remote"),
    ("from orasx import Repository", "orasx._copy imports orasx.registry.remote"),
    ("import orasx.cli.main", "orasx._copy imports orasx.cli.main"),
])
def test_the_rule_catches_forbidden_imports(tmp_path, source, expected):
    # The check above must be able to fail: a copy engine importing the registry is caught.
    path = tmp_path / "_copy.py"
    path.write_text(source + "\n")
    imported = _imports(path)
    bad = [f"orasx._copy imports {m}" for m in imported if _part(m) not in ALLOWED["_copy"]]
    assert bad == [expected]


def test_version_command_does_not_import_the_http_stack():
    code = ("import sys; from orasx.cli.main import main\n"
            "try:\n    main(['version'])\nexcept SystemExit:\n    pass\n"
            "print('urllib3' in sys.modules, 'orasx.api' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "False False"
