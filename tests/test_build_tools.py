"""Set-up checks for a C compiler and Python's headers before compiling the engine."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT

SCRIPT = ROOT / "scripts" / "build_tools.py"


def _run(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=30)  # fmt: skip


def test_this_machine_can_compile() -> None:
    done = _run()
    assert done.returncode == 0 and done.stdout == ""


def test_a_missing_compiler_is_one_line_with_the_fix() -> None:
    done = _run(CC="/nonexistent/cc")
    assert done.returncode == 1
    [line] = done.stdout.splitlines()
    assert line.startswith("no C compiler (/nonexistent/cc): installing the pure-Python engine")
    assert "PRECIS_COMPILE=0" in line and "apt-get install gcc python3." in line


def test_missing_headers_are_named(tmp_path: os.PathLike[str]) -> None:
    done = _run(PRECIS_PYTHON_INCLUDE=str(tmp_path))
    assert done.returncode == 1
    assert done.stdout.startswith(f"no Python headers (Python.h in {tmp_path})")
