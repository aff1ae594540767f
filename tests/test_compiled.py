"""The engine modules setup.py compiles with mypyc are the ones that run, and
never an outdated build of them."""

from __future__ import annotations

import ast
import importlib
import os
from pathlib import Path

import pytest

from tests.conftest import ROOT


def compiled_modules() -> list[str]:
    """setup.py's COMPILED list, read without running setup.py."""
    tree = ast.parse((ROOT / "setup.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "COMPILED":
            return list(ast.literal_eval(node.value))
    raise AssertionError("setup.py has no COMPILED list")


MODULES = compiled_modules()
PURE = os.environ.get("PRECIS_COMPILE", "1").strip().lower() in ("0", "false", "no")


def test_the_list_names_real_engine_modules() -> None:
    assert MODULES, "setup.py compiles nothing"
    for path in MODULES:
        assert (ROOT / path).is_file(), path


@pytest.mark.parametrize("path", MODULES)
def test_each_compiled_module_is_newer_than_its_source(path: str) -> None:
    source = ROOT / path
    for built in source.parent.glob(source.stem + ".*.so"):
        assert built.stat().st_mtime >= source.stat().st_mtime, (
            f"{path} changed after it was compiled, so the old build runs instead of it: "
            "./scripts/test rebuilds it (or PRECIS_COMPILE=0 pip install -e . for pure Python)"
        )


@pytest.mark.skipif(PURE, reason="PRECIS_COMPILE=0: a pure-Python install")
@pytest.mark.parametrize("path", MODULES)
def test_the_compiled_module_is_the_one_imported(path: str) -> None:
    name = str(Path(path).with_suffix("")).replace("/", ".")
    module = importlib.import_module(name)
    assert module.__file__ is not None and module.__file__.endswith(".so"), module.__file__
