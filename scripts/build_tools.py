"""Can this machine compile the engine? Prints what is missing (one line) and exits 1 if not.

Called by scripts/_venv.sh before it builds Précis with mypyc: without a C compiler or
Python's headers the build would fail a minute in with a pip traceback.
"""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig
from pathlib import Path


def missing() -> list[str]:
    gaps = []
    compiler = (os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        gaps.append(f"no C compiler ({compiler})")
    include = os.environ.get("PRECIS_PYTHON_INCLUDE") or sysconfig.get_paths()["include"]
    if not (Path(include) / "Python.h").is_file():
        gaps.append(f"no Python headers (Python.h in {include})")
    return gaps


def main() -> int:
    gaps = missing()
    if not gaps:
        return 0
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    print(
        f"{' and '.join(gaps)}: installing the pure-Python engine instead (PRECIS_COMPILE=0, "
        f"the same code, about a quarter slower). To compile it: "
        f"sudo apt-get install gcc python{version}-dev (or python3-dev)"
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
