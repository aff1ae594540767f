"""HTTP/1.1 over a bare socket, for requests no well-behaved client would send: bodies
and headers byte for byte, half-sent requests, connections held open."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any

from bot.web import API_PATH
from tests.helpers.web import TOKEN


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body)


def head(
    content_type: str | None = "application/json",
    *,
    length: int | None = None,
    path: str = API_PATH,
    method: str = "POST",
    extra: dict[str, str] | None = None,
    token: str | None = TOKEN,
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    if token is not None:
        lines.append(f"Authorization: Bearer {token}")
    if content_type is not None:
        lines.append(f"Content-Type: {content_type}")
    if length is not None:
        lines.append(f"Content-Length: {length}")
    lines += [f"{name}: {value}" for name, value in (extra or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def request(body: bytes, content_type: str | None = "application/json", **kw: Any) -> bytes:
    """A whole request with a Content-Length (unless `extra` says Transfer-Encoding)."""
    chunked = "Transfer-Encoding" in (kw.get("extra") or {})
    return head(content_type, length=None if chunked else len(body), **kw) + body


def chunked(body: bytes, size: int = 64 * 1024) -> bytes:
    parts = [b"%x\r\n%s\r\n" % (len(body[i : i + size]), body[i : i + size])
             for i in range(0, len(body), size)]  # fmt: skip
    return b"".join(parts) + b"0\r\n\r\n"


def parse(raw: bytes, seconds: float) -> Answer:
    top, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = top.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Answer(int(status_line.split()[1]), headers, body, seconds)


async def _read_answer(reader: asyncio.StreamReader) -> bytes:
    """The answer's head and, by its Content-Length, its body (else all until EOF): the
    server may keep the connection a while after answering, to read what it was sent."""
    chunks = []
    try:
        raw = await reader.readuntil(b"\r\n\r\n")
        length = parse(raw, 0).headers.get("content-length")
        if length is not None:
            return raw + await reader.readexactly(int(length))
        chunks.append(raw)
        while chunk := await reader.read(64 * 1024):
            chunks.append(chunk)
    except (asyncio.IncompleteReadError, ConnectionResetError) as exc:
        partial = getattr(exc, "partial", b"")
        if not chunks and not partial:
            raise
        chunks.append(partial)
    return b"".join(chunks)


async def exchange(port: int, data: bytes, timeout: float = 20.0) -> Answer:
    """Send `data` (the whole request) on a new connection and read the answer."""
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)

    async def send() -> None:
        view = memoryview(data)
        try:
            for at in range(0, len(data), 64 * 1024):  # drained: the buffer stays small
                writer.write(view[at : at + 64 * 1024])
                await writer.drain()
        except ConnectionError:
            pass  # the server answered early and closed: its answer is what counts

    sending = asyncio.create_task(send())
    try:
        raw = await asyncio.wait_for(_read_answer(reader), timeout)
    finally:
        if not sending.done():  # answered before it read everything: drop the rest
            sending.cancel()
            writer.transport.abort()
        writer.close()
    return parse(raw, time.perf_counter() - started)
