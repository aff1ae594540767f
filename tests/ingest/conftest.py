"""Real aiohttp servers on loopback addresses, and a recorder of outgoing connections."""

from __future__ import annotations

import asyncio
import ipaddress
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp.connector
import pytest
from aiohttp import web

from bot.ingest.fetch import FetchLimits

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

LOOPBACK_ONLY = (ipaddress.ip_network("127.0.0.1/32"),)


class LocalServer:
    """An aiohttp server bound to one loopback address; counts the hits on each path."""

    def __init__(self, host: str) -> None:
        self.host = host
        self.port = 0
        self.routes: dict[str, Handler] = {}
        self.hits: Counter[str] = Counter()
        self.released = asyncio.Event()  # set at teardown so slow handlers end
        self._runner: web.AppRunner | None = None

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def add(self, path: str, handler: Handler) -> str:
        self.routes[path] = handler
        return self.url(path)

    def add_bytes(
        self, path: str, body: bytes, content_type: str = "text/html; charset=utf-8", **headers: str
    ) -> str:
        async def handler(_: web.Request) -> web.Response:
            return web.Response(body=body, headers={"Content-Type": content_type, **headers})

        return self.add(path, handler)

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        self.hits[request.path] += 1
        handler = self.routes.get(request.path)
        if handler is None:
            return web.Response(status=404, text="not found")
        return await handler(request)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, shutdown_timeout=0.2)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def close(self) -> None:
        self.released.set()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def total_hits(self) -> int:
        return sum(self.hits.values())


@pytest.fixture
async def server() -> AsyncIterator[LocalServer]:
    srv = LocalServer("127.0.0.1")
    await srv.start()
    yield srv
    await srv.close()


@pytest.fixture
async def other_loopback_server() -> AsyncIterator[LocalServer]:
    """A server on 127.0.0.2: loopback, but not in the allowed 127.0.0.1/32."""
    srv = LocalServer("127.0.0.2")
    await srv.start()
    yield srv
    await srv.close()


@pytest.fixture
def limits() -> FetchLimits:
    return FetchLimits(timeout=5.0, allowed_networks=LOOPBACK_ONLY)


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every IP address aiohttp tries to open a TCP connection to, in order."""
    attempts: list[str] = []
    original = aiohttp.connector.aiohappyeyeballs.start_connection

    async def recording(addr_infos: Any, *args: Any, **kwargs: Any) -> Any:
        attempts.extend(str(info[4][0]) for info in addr_infos)
        return await original(addr_infos, *args, **kwargs)

    monkeypatch.setattr(aiohttp.connector.aiohappyeyeballs, "start_connection", recording)
    return attempts
