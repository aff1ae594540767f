"""The README's SQLite -> PostgreSQL command, exactly as written there, run by the real
`precis` console script: every row arrives, and a second run is refused."""

from __future__ import annotations

import asyncio
import re
import shlex
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.feeds.test_copydb import _fill, _snapshot
from tests.helpers.pgserver import PgServer, create_database, drop_database

PLACEHOLDER = "postgresql+asyncpg://user:password@host/precis"


def readme_command() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"^ +(precis migrate-db .*?)$(?:\n +(--.*)$)?", text, re.M)
    assert found, "the README no longer shows `precis migrate-db`"
    line = " ".join(part.rstrip(" \\") for part in found.groups() if part)
    return shlex.split(line)


async def test_the_readme_migrate_command_copies_everything(
    tmp_path: Path, postgres: PgServer
) -> None:
    args = readme_command()
    source = args[args.index("--from") + 1]
    assert source == "sqlite+aiosqlite:///data/precis.sqlite3"  # relative: ./data/...
    assert args[args.index("--to") + 1] == PLACEHOLDER
    target = await create_database(postgres)
    try:
        local = f"sqlite+aiosqlite:///{tmp_path}/data/precis.sqlite3"  # the same file
        sub_id = await _fill(local)
        args[args.index("--to") + 1] = target
        precis = str(Path(sys.executable).with_name("precis"))
        done = await asyncio.to_thread(
            subprocess.run, [precis, *args[1:]], cwd=tmp_path, capture_output=True,
            text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert re.fullmatch(r"copied .*items 4.*deliveries 4.*\n", done.stdout), done.stdout
        assert await _snapshot(target, sub_id) == await _snapshot(local, sub_id)
        again = await asyncio.to_thread(
            subprocess.run, [precis, *args[1:]], cwd=tmp_path, capture_output=True,
            text=True, timeout=120,
        )  # fmt: skip
        assert again.returncode == 1 and "not empty" in again.stderr
    finally:
        await drop_database(postgres, target)
