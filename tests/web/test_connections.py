"""Connections that take without giving (issue 17): half-sent request heads, slow bodies,
too many sockets. Real sockets on 127.0.0.1; every wait is bounded."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import time
from pathlib import Path

import pytest

from bot.web import API_PATH
from tests.helpers.rawhttp import exchange, head, request
from tests.helpers.web import MakeWeb

HALF_HEAD = f"POST {API_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl".encode()
FDS = Path("/proc/self/fd")


def open_files() -> int:
    """Sockets this process holds open (other files, opened or closed meanwhile by code
    that has nothing to do with connections, are not counted)."""
    count = 0
    for fd in os.listdir(FDS):
        with contextlib.suppress(OSError):  # closed between the listing and the look
            count += os.readlink(FDS / fd).startswith("socket:")
    return count


async def closed_after(reader: asyncio.StreamReader, started: float) -> float:
    """Seconds from `started` until the server closes the connection (EOF or reset)."""
    try:
        while await reader.read(1024):
            pass
    except ConnectionResetError:
        pass
    return time.monotonic() - started


async def healthz(port: int) -> int:
    answer = await exchange(port, request(b"", None, path="/healthz", method="GET"), timeout=5)
    return answer.status


@pytest.mark.skipif(not FDS.is_dir(), reason="counts open files in /proc")
async def test_half_sent_heads_are_closed_after_the_head_timeout(make_web: MakeWeb) -> None:
    app = await make_web(head_timeout=1.0)
    gc.collect()  # files earlier tests left to the collector close now, not while we count
    files = open_files()
    started = time.monotonic()
    connections = [await asyncio.open_connection("127.0.0.1", app.port) for _ in range(50)]
    for _, writer in connections:
        writer.write(HALF_HEAD)
    trickle_reader, trickle = await asyncio.open_connection("127.0.0.1", app.port)

    async def trickling() -> None:  # one byte every 0.1 s: progress, but never a whole head
        for byte in HALF_HEAD * 10:
            if trickle.is_closing():
                return
            trickle.write(bytes([byte]))
            await asyncio.sleep(0.1)

    trickler = asyncio.create_task(trickling())
    # Both ends of each connection, all open — once the server has accepted them all (on a
    # loaded machine the last few wait in the listen backlog for a moment: CI, 125 < 128).
    deadline = time.monotonic() + 0.5
    while open_files() < files + 2 * 51 and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    assert open_files() >= files + 2 * 51
    assert await healthz(app.port) == 200  # others are answered meanwhile
    waits = await asyncio.wait_for(
        asyncio.gather(
            *(closed_after(r, started) for r, _ in connections),
            closed_after(trickle_reader, started),
        ),  # fmt: skip
        timeout=10,
    )
    trickler.cancel()
    assert max(waits) < 1.0 + 2.0, waits  # the timeout, plus slack for a busy machine
    assert min(waits) >= 0.9, waits
    for _, writer in [*connections, (trickle_reader, trickle)]:
        writer.close()
    await asyncio.sleep(0.1)
    assert open_files() <= files + 2, (open_files(), files)  # nothing left behind
    assert await healthz(app.port) == 200


async def test_a_body_that_never_arrives_is_408(make_web: MakeWeb) -> None:
    app = await make_web(body_timeout=1.0)
    data = head("application/json", length=1000) + b'{"text": "'
    answer = await exchange(app.port, data, timeout=10)
    assert answer.status == 408, answer
    assert "slowly" in answer.json()["error"]
    assert 0.9 <= answer.seconds < 3.0


async def test_connections_beyond_the_limit_get_503_and_are_closed(make_web: MakeWeb) -> None:
    app = await make_web(max_connections=5)
    held = [await asyncio.open_connection("127.0.0.1", app.port) for _ in range(5)]
    await asyncio.sleep(0.1)  # all five made
    extra = await asyncio.wait_for(exchange(app.port, b"", timeout=5), 6)
    assert extra.status == 503, extra
    assert extra.headers["retry-after"] == "5"
    assert "too many open connections" in extra.json()["error"]
    assert extra.seconds < 1

    _, writer = held.pop()
    writer.close()
    await asyncio.sleep(0.2)  # the server sees it go
    assert await healthz(app.port) == 200  # a free place is taken again
    for _, writer in held:
        writer.close()
    await asyncio.sleep(0.2)
    statuses = await asyncio.gather(*(healthz(app.port) for _ in range(5)))
    assert statuses == [200] * 5
