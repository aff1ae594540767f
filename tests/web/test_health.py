"""/healthz and /readyz: what the orchestrator sees, flipping as probes fail and recover."""

from __future__ import annotations

import asyncio
import shutil
import time
from pathlib import Path
from typing import Any

import aiohttp

from bot.feeds.store import Store
from bot.web import WebApp
from tests.helpers.web import MakeWeb, Switches


async def get(http: aiohttp.ClientSession, app: WebApp, path: str) -> tuple[int, dict[str, Any]]:
    async with http.get(app.url + path) as r:
        return r.status, await r.json()


async def eventually(check: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, "condition never became true"
        await asyncio.sleep(0.05)


async def test_healthz_answers_while_the_loop_runs(
    web: WebApp, http: aiohttp.ClientSession
) -> None:
    status, body = await get(http, web, "/healthz")
    assert status == 200
    assert body["status"] == "ok" and body["uptime_s"] >= 0 and "loop_lag_ms" in body


async def test_readyz_flips_with_the_gateway_and_the_database(
    web: WebApp, http: aiohttp.ClientSession, switches: Switches
) -> None:
    status, body = await get(http, web, "/readyz")
    assert status == 200 and body["status"] == "ready"
    assert {name: c["ok"] for name, c in body["checks"].items()} == {
        "gateway": True, "database": True, "poller": True,
    }  # fmt: skip

    switches.gateway = False  # the gateway drops
    status, body = await get(http, web, "/readyz")
    assert status == 503 and body["status"] == "not ready"
    assert body["checks"]["gateway"]["ok"] is False and body["checks"]["database"]["ok"] is True

    switches.gateway, switches.database = True, False  # reconnected; the database goes
    status, body = await get(http, web, "/readyz")
    assert status == 503 and body["checks"]["database"]["ok"] is False

    switches.database = True
    assert (await get(http, web, "/readyz"))[0] == 200


async def test_a_raising_or_hanging_probe_is_a_failure_with_a_reason(
    make_web: MakeWeb, http: aiohttp.ClientSession
) -> None:
    async def hangs() -> bool:
        await asyncio.sleep(60)
        return True

    def raises() -> bool:
        raise ConnectionResetError("boom")

    app = await make_web(probes={"hangs": hangs, "raises": raises}, probe_timeout=0.2)
    started = time.monotonic()
    status, body = await get(http, app, "/readyz")
    assert time.monotonic() - started < 2
    assert status == 503
    assert body["checks"]["hangs"] == {"ok": False, "ms": body["checks"]["hangs"]["ms"],
                                       "error": "no answer within 0.2 s"}  # fmt: skip
    assert body["checks"]["raises"]["error"] == "ConnectionResetError"


async def test_healthz_fails_only_when_a_probe_stays_down_and_recovers(
    make_web: MakeWeb, http: aiohttp.ClientSession, switches: Switches
) -> None:
    """A blip is not a reason to restart; a gateway down for `unhealthy_after` is."""
    app = await make_web(unhealthy_after=0.5, probe_interval=0.05)
    switches.gateway = False
    status, body = await get(http, app, "/healthz")
    assert status == 200  # down, but not for long yet

    async def unhealthy() -> bool:
        status, body = await get(http, app, "/healthz")
        return status == 503 and "gateway" in body.get("failing_s", {})

    await eventually(unhealthy)
    switches.gateway = True

    async def healthy() -> bool:
        return (await get(http, app, "/healthz"))[0] == 200

    await eventually(healthy)


async def test_a_probe_failing_from_start_up_counts_from_start_up(
    make_web: MakeWeb, http: aiohttp.ClientSession, switches: Switches
) -> None:
    switches.poller = False  # e.g. never started
    app = await make_web(unhealthy_after=0.3, probe_interval=0.05)

    async def unhealthy() -> bool:
        return (await get(http, app, "/healthz"))[0] == 503

    await eventually(unhealthy, timeout=3)


async def test_readiness_with_a_real_database_that_goes_away(
    make_web: MakeWeb, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    folder = tmp_path / "db"
    store = await Store.open(f"sqlite+aiosqlite:///{folder / 'precis.sqlite3'}")
    try:
        app = await make_web(probes={"database": store.ping})
        assert (await get(http, app, "/readyz"))[0] == 200

        shutil.rmtree(folder)  # the volume is gone ...
        await store.engine.dispose()  # ... and no pooled connection keeps the old file open
        status, body = await get(http, app, "/readyz")
        assert status == 503 and body["checks"]["database"]["ok"] is False

        folder.mkdir()  # back
        assert (await get(http, app, "/readyz"))[0] == 200
    finally:
        await store.close()


async def test_no_probes_means_ready(make_web: MakeWeb, http: aiohttp.ClientSession) -> None:
    app = await make_web(probes={})
    assert await get(http, app, "/readyz") == (200, {"status": "ready", "checks": {}})


async def test_port_in_use_is_a_readable_error(web: WebApp, make_web: MakeWeb) -> None:
    try:
        await make_web(port=web.port)
    except OSError as exc:
        assert "WEB_PORT" in str(exc)
    else:
        raise AssertionError("a second server on the same port started")
