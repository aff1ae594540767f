"""Several processes (shards, workers) starting together on one empty database: one
migrates, the others wait for it and find nothing to do. Without the migration lock two
of them would create the same tables at once ("table feeds already exists")."""

from __future__ import annotations

import asyncio
import sys

from bot.feeds.database import HEAD, migrate
from tests.conftest import ROOT

SCRIPT = "import asyncio, sys; from bot.feeds.database import migrate; "
SCRIPT += "print(asyncio.run(migrate(sys.argv[1])))"


async def test_processes_migrating_at_once_all_reach_head(empty_db_url: str) -> None:
    runs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            SCRIPT,
            empty_db_url,
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        for _ in range(4)
    ]
    results = await asyncio.wait_for(asyncio.gather(*(r.communicate() for r in runs)), 120)
    head = await migrate(empty_db_url)
    assert head is not None and head != HEAD  # a revision id, not the word "head"
    for run, (out, err) in zip(runs, results, strict=True):
        assert run.returncode == 0, err.decode()[-2000:]
        assert out.decode().strip() == head
