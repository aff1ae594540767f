"""A client that hangs up stops its summary: the handler is cancelled and the worker
process doing the work is killed, so nobody's slot is held for an answer nobody reads."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from bot.web import API_PATH, WebApp
from tests.conftest import DATA
from tests.helpers.web import TOKEN


def _heavy_text() -> str:
    """~7 MB of real news: a few seconds of engine work, far under the budget."""
    with (DATA / "eval" / "cnndm.jsonl").open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    return "\n\n".join(row["article"] for row in rows) * 16


async def test_a_client_that_hangs_up_stops_its_summary(
    web: WebApp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="precis.workers")
    body = json.dumps({"text": _heavy_text()}).encode()
    host, port = web.url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        f"POST {API_PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    await writer.drain()
    await asyncio.sleep(1.0)  # the summary is under way in a worker
    writer.close()  # ... and the client is gone
    for _ in range(40):
        if any("cancelled: killed" in r.getMessage() for r in caplog.records):
            break
        await asyncio.sleep(0.1)
    assert any("cancelled: killed" in r.getMessage() for r in caplog.records)
    assert not web.service.executor._busy  # the slot is free again
