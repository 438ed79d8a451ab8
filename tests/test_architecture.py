"""The public surface and the import rule of DESIGN.md."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import orasx

SRC = Path(orasx.__file__).parent

# Layers from the bottom up; a module may import only its own layer or lower ones.
LAYERS = [
    {"errors", "mediatype", "_version", "_fsutil", "retry"},
    {"digest"},
    {"reference", "descriptor", "fileref"},
    {"manifest"},
    {"content", "registry", "pack"},
    {"_copy"},
    {"api"},
    {"cli", "__main__"},
]


def _layer(module: str) -> int:
    top = module.split(".")[1] if module.startswith("orasx.") else module
    for i, names in enumerate(LAYERS):
        if top in names:
            return i
    raise AssertionError(f"module {module} is in no layer")


def test_all_is_sorted_and_importable():
    assert orasx.__all__ == sorted(orasx.__all__)
    for name in orasx.__all__:
        assert getattr(orasx, name) is not None


def test_nothing_imports_upward():
    bad = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC.parent).with_suffix("")
        module = ".".join(rel.parts)
        if module == "orasx.__init__":
            continue
        own = _layer(module)
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.ImportFrom) and node.module
                    and node.module.startswith("orasx.") and _layer(node.module) > own):
                bad.append(f"{module} imports {node.module}")
    assert bad == []


def test_version_command_does_not_import_the_http_stack():
    code = ("import sys; from orasx.cli.main import main\n"
            "try:\n    main(['version'])\nexcept SystemExit:\n    pass\n"
            "print('urllib3' in sys.modules, 'orasx.api' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "False False"
