"""The real bot reports stuck summary slots: /readyz fails its "summaries" check when every
worker is busy past its budget (so /healthz turns 503 and an orchestrator restarts it)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
import pytest

from tests.discord_adapter.conftest import Harness


@pytest.fixture
def bot_overrides() -> dict[str, Any]:
    return {"web_enabled": True, "web_port": 0, "max_concurrent_summaries": 2,
            "summary_timeout": 1}  # fmt: skip


async def _ready(url: str) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as http, http.get(url + "/readyz") as response:
        return response.status, await response.json()


async def test_stuck_summary_slots_fail_readiness(harness: Harness) -> None:
    web = harness.bot.web
    assert web is not None
    assert await harness.fake.wait_until_connected(timeout=30)
    for _ in range(50):  # the gateway probe passes once the session is up
        status, body = await _ready(web.url)
        if status == 200:
            break
        await asyncio.sleep(0.1)
    assert status == 200 and body["checks"]["summaries"]["ok"] is True, body
    # Both slots busy for longer than the budget and its grace: the kills are not working.
    pool = harness.bot.service.executor
    pool._busy = {1: time.monotonic() - 60, 2: time.monotonic() - 60}
    status, body = await _ready(web.url)
    assert status == 503 and body["checks"]["summaries"]["ok"] is False
    pool._busy = {}
    assert (await _ready(web.url))[0] == 200
