"""An upload request's body as bytes, under its limits: at most `limit` bytes as sent
and, when it is compressed (gzip or deflate), at most `limit` once decoded.

The server reads bodies as they are sent (WebApp turns aiohttp's auto_decompress off):
aiohttp's own decoding failed inside its read of whatever a client sent after the
answer, logging a traceback for each damaged gzip body (sent with or without a token),
and answered an encoding it could not decode with a plain-text 400. Here a damaged body
is one JSON 400 and an unknown encoding one JSON 415.
"""

from __future__ import annotations

import asyncio
import zlib

from aiohttp import StreamReader, hdrs, web
from aiohttp.base_protocol import BaseProtocol

from bot.web.answers import ApiError
from bot.web.fields import shorten

CHUNK = 64 * 1024
# zlib's window bits: 32 + 15 reads a gzip or a zlib header, whichever comes.
WBITS = {"gzip": 47, "x-gzip": 47, "deflate": 47}
DAMAGED = ("The request body could not be read: it was cut off, or it does not match its "
           "Content-Encoding.")  # fmt: skip


def content_encoding(request: web.BaseRequest) -> str | None:
    """The body's Content-Encoding (None: as it is); 415 for one we do not decode."""
    value = request.headers.get(hdrs.CONTENT_ENCODING, "").strip().lower()
    if value in ("", "identity"):
        return None
    if value not in WBITS:
        raise ApiError(415, f"Send the body as it is, or compressed with gzip or deflate "
                            f"(not {shorten(value)!r}).")  # fmt: skip
    return value


async def read_body(request: web.BaseRequest, limit: int, too_large: str) -> bytes:
    """The whole body, decoded; 413 with `too_large` beyond `limit` bytes either way."""
    encoding = content_encoding(request)
    decoder = zlib.decompressobj(WBITS[encoding]) if encoding is not None else None
    body = bytearray()
    received = 0
    async for chunk in request.content.iter_chunked(CHUNK):
        received += len(chunk)
        if received > limit:
            raise ApiError(413, too_large)
        if decoder is not None:
            try:  # never more than one byte beyond the limit: a bomb stops here
                chunk = decoder.decompress(chunk, limit + 1 - len(body))
            except zlib.error:
                raise ApiError(400, DAMAGED) from None
        body += chunk
        if len(body) > limit:
            raise ApiError(413, too_large)
    if decoder is not None and not decoder.eof:
        raise ApiError(400, DAMAGED)
    return bytes(body)


class _NoConnection(BaseProtocol):
    """The 'connection' behind a body already read whole: nothing to pause or resume."""

    def pause_reading(self) -> None:
        pass

    def resume_reading(self, resume_parser: bool = True) -> None:
        pass


def memory_stream(data: bytes) -> StreamReader:
    """`data` as a finished stream, for readers (multipart) that want one."""
    loop = asyncio.get_running_loop()
    stream = StreamReader(_NoConnection(loop), limit=len(data) + 1, loop=loop)
    stream.feed_data(data)
    stream.feed_eof()
    return stream
