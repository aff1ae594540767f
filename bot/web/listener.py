"""The listening socket, with a cap on open connections.

aiohttp's TCPSite accepts every connection it is offered, and a connection that never
finishes its request head used to stay open for an hour (aiohttp's keep-alive default):
3,000 of them held 3,022 open files. Here each connection is counted from the moment it
is made to the moment it is lost; beyond `limit`, a new one is answered 503 and closed
before aiohttp sees it (a client that has already sent its request may see the close
as a reset instead). How long a connection may take to send its head is aiohttp's
`keepalive_timeout`, set by WebApp (`WebConfig.head_timeout`).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

from bot.web.config import BACKLOG

_BUSY_BODY = json.dumps(
    {"error": "Précis has too many open connections; try again in a few seconds."}
).encode()
BUSY_ANSWER = (
    b"HTTP/1.1 503 Service Unavailable\r\n"
    b"Content-Type: application/json; charset=utf-8\r\n"
    b"Retry-After: 5\r\nConnection: close\r\n"
    b"Content-Length: %d\r\n\r\n%s" % (len(_BUSY_BODY), _BUSY_BODY)
)


class Listener:
    """Accepts connections for `factory` (aiohttp's web.Server), at most `limit` at once."""

    def __init__(self, factory: Callable[[], asyncio.Protocol], limit: int) -> None:
        self.factory = factory
        self.limit = limit
        self.open = 0  # connections made and not yet lost
        self.refused = 0
        self._server: asyncio.Server | None = None

    async def start(self, host: str, port: int) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: _Counted(self), host, port, backlog=BACKLOG, reuse_address=True
        )

    @property
    def port(self) -> int | None:
        if self._server is None or not self._server.sockets:
            return None
        return int(self._server.sockets[0].getsockname()[1])

    def close(self) -> None:
        """Stop accepting; the connections already open are aiohttp's to close."""
        if self._server is not None:
            self._server.close()

    async def wait_closed(self) -> None:
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None


class _Counted(asyncio.Protocol):
    """One connection: counted while open, handed to aiohttp's protocol if admitted."""

    def __init__(self, listener: Listener) -> None:
        self._listener = listener
        self._inner: asyncio.Protocol | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        listener = self._listener
        if listener.open >= listener.limit:
            listener.refused += 1
            assert isinstance(transport, asyncio.Transport)
            transport.write(BUSY_ANSWER)
            transport.close()  # after the answer is flushed
            return
        listener.open += 1
        self._inner = listener.factory()
        self._inner.connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._inner is not None:
            self._listener.open -= 1
            inner, self._inner = self._inner, None
            inner.connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._inner is not None:
            self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self._inner.eof_received() if self._inner is not None else None

    def pause_writing(self) -> None:
        if self._inner is not None:
            self._inner.pause_writing()

    def resume_writing(self) -> None:
        if self._inner is not None:
            self._inner.resume_writing()
