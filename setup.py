"""Build Précis, compiling the engine's hot modules to C with mypyc.

The engine (language, sentences, tokens, entities, the summarizer's ranking,
the text cleaner) is ordinary typed Python; mypyc turns the same source into
C extensions that take about a fifth less time per article
(`benchmarks/speed.py` says which build it timed). The compiled modules
sit beside their sources and win the import; nothing changes for callers.

    PRECIS_COMPILE=0 pip install .     # pure Python: no C compiler needed

A pure-Python install also deletes compiled copies an earlier build left
beside the sources, so an edited module can never be shadowed by a stale one
(`tests/test_compiled.py` checks the opposite case: a module changed after
it was compiled).
"""

from __future__ import annotations

import os
import runpy
from pathlib import Path

from setuptools import setup

ROOT = Path(__file__).resolve().parent

# The list lives in bot/compiled.py (which says which modules run compiled).
COMPILED = [
    name.replace(".", "/") + ".py"
    for name in runpy.run_path(str(ROOT / "bot" / "compiled.py"))["MODULES"]
]
GROUP = "precis_engine"  # the shared library mypyc adds: precis_engine__mypyc


def _compiled_copies() -> list[Path]:
    copies = list(ROOT.glob(f"{GROUP}__mypyc.*.so"))
    for module in COMPILED:
        source = ROOT / module
        copies += source.parent.glob(source.stem + ".*.so")
    return copies


def _extensions() -> list[object]:
    if os.environ.get("PRECIS_COMPILE", "1").strip().lower() in ("0", "false", "no"):
        for stale in _compiled_copies():
            stale.unlink()
        return []
    from mypyc.build import mypycify

    return list(mypycify(COMPILED, opt_level="3", group_name=GROUP))


setup(ext_modules=_extensions())
