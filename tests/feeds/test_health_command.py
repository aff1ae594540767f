"""`precis health`, the containers' health check: exit 0 when the database answers and is
migrated (and, with --web, when this process's /healthz answers 200); otherwise exit 1
with one line that says what is wrong and never shows the database password."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from bot.feeds.database import head_revision
from bot.feeds.store import Store
from tests.conftest import ROOT

PRECIS = str(Path(sys.executable).with_name("precis"))


async def health(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    return await asyncio.to_thread(
        subprocess.run, [PRECIS, "health", *args], cwd=cwd, env=environment,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


@pytest.fixture
async def healthz() -> AsyncIterator[dict[str, object]]:
    """A /healthz on a free loopback port; set "status" to change its answer."""
    state: dict[str, object] = {"status": 200}

    async def answer(_request: web.Request) -> web.Response:
        return web.Response(status=int(str(state["status"])), text="x")

    app = web.Application()
    app.router.add_get("/healthz", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    state["port"] = runner.addresses[0][1]
    yield state
    await runner.cleanup()


async def test_a_migrated_database_is_healthy_and_web_adds_healthz(
    db_url: str, tmp_path: Path, healthz: dict[str, object]
) -> None:
    await (await Store.open(db_url)).close()  # migrated, as a started bot leaves it
    done = await health(tmp_path, DATABASE_URL=db_url)
    assert (done.returncode, done.stdout, done.stderr) == (0, "ok\n", "")
    port = str(healthz["port"])
    done = await health(tmp_path, "--web", DATABASE_URL=db_url, WEB_PORT=port)
    assert done.returncode == 0, done.stderr
    healthz["status"] = 503
    done = await health(tmp_path, "--web", DATABASE_URL=db_url, WEB_PORT=port)
    assert done.returncode == 1
    assert done.stderr == f"precis health: http://127.0.0.1:{port}/healthz answered 503\n"


async def test_a_database_without_the_schema_is_not_healthy(
    empty_db_url: str, tmp_path: Path
) -> None:
    if empty_db_url.startswith("sqlite"):
        Path(empty_db_url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
        Path(empty_db_url.split("///", 1)[1]).touch()  # an empty file: no tables yet
    done = await health(tmp_path, DATABASE_URL=empty_db_url)
    assert done.returncode == 1
    assert done.stderr == (
        f"precis health: database at revision None, this version needs {head_revision()}\n"
    )


async def test_unreachable_databases_are_named_without_their_password(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "precis.sqlite3"
    done = await health(tmp_path, DATABASE_URL=f"sqlite+aiosqlite:///{missing}")
    assert done.returncode == 1 and "no database file at" in done.stderr
    assert not missing.parent.exists()  # a health check creates nothing
    url = "postgresql+asyncpg://precis:hunter2-secret@127.0.0.1:9/precis"  # nothing listens
    done = await health(tmp_path, "--web", DATABASE_URL=url, WEB_PORT="9")
    assert done.returncode == 1
    assert done.stderr.startswith("precis health: database unreachable: ")
    assert "127.0.0.1:9/healthz unreachable" in done.stderr
    assert "hunter2" not in done.stderr + done.stdout and len(done.stderr.splitlines()) == 1
