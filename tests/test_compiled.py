"""The engine modules setup.py compiles with mypyc are the ones that run, and
never an outdated build of them."""

from __future__ import annotations

import os

import pytest

from bot import compiled
from tests.conftest import ROOT

MODULES = [name.replace(".", "/") + ".py" for name in compiled.MODULES]
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
def test_the_compiled_modules_are_the_ones_imported() -> None:
    assert all(compiled.running_compiled().values()), compiled.describe()
    assert compiled.describe().startswith("engine: compiled with mypyc")
