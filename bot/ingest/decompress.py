"""Decompressing a response body in bounded steps (gzip, deflate, brotli).

`bot.ingest.fetch` asks aiohttp for the raw bytes and decompresses them here,
so its byte cap counts *decompressed* bytes: every `decode(chunk, budget)`
produces at most budget + 1 bytes, which is enough to tell that the cap is
exceeded without ever inflating a decompression bomb.
"""

from __future__ import annotations

import zlib
from typing import Any, Protocol

from bot.errors import FetchError

try:  # optional: brotli >= 1.2 can bound its output, older builds cannot
    import brotli as _brotli

    HAS_BROTLI = "output_buffer_limit" in (_brotli.Decompressor.process.__doc__ or "")
except ImportError:  # pragma: no cover - depends on the environment
    _brotli = None
    HAS_BROTLI = False

# The encodings `decoder_for` reads, for the Accept-Encoding request header.
ACCEPT_ENCODING = "gzip, deflate, br" if HAS_BROTLI else "gzip, deflate"


class Decoder(Protocol):
    def decode(self, chunk: bytes, budget: int) -> bytes: ...


class _Identity:
    def decode(self, chunk: bytes, budget: int) -> bytes:
        return chunk


class _Zlib:
    """gzip or deflate, producing at most budget + 1 bytes per call."""

    def __init__(self, encoding: str) -> None:
        self._encoding = encoding
        self._obj: Any = None

    def decode(self, chunk: bytes, budget: int) -> bytes:
        if self._obj is None:
            if self._encoding == "gzip":
                wbits = 16 + zlib.MAX_WBITS
            elif len(chunk) >= 2 and chunk[0] & 0x0F == 8 and int.from_bytes(chunk[:2]) % 31 == 0:
                wbits = zlib.MAX_WBITS  # "deflate" as the RFC says: zlib-wrapped
            else:
                wbits = -zlib.MAX_WBITS  # "deflate" as many servers send it: raw
            self._obj = zlib.decompressobj(wbits)
        if self._obj.eof:
            return b""
        # max_length bounds the output; anything beyond it stays in unconsumed_tail,
        # which only happens when the budget is already exceeded.
        return bytes(self._obj.decompress(chunk, budget + 1))


class _Brotli:
    def __init__(self) -> None:
        assert _brotli is not None
        self._obj = _brotli.Decompressor()

    def decode(self, chunk: bytes, budget: int) -> bytes:
        out = bytes(self._obj.process(chunk, output_buffer_limit=budget + 1))
        while len(out) <= budget and not self._obj.can_accept_more_data():
            out += self._obj.process(b"", output_buffer_limit=budget + 1 - len(out))
        return out


DECODE_ERRORS: tuple[type[Exception], ...] = (
    (zlib.error, _brotli.error) if _brotli is not None else (zlib.error,)
)


def decoder_for(content_encoding: str | None, host: str) -> Decoder:
    encoding = (content_encoding or "").strip().lower()
    if encoding in ("", "identity"):
        return _Identity()
    if encoding in ("gzip", "x-gzip"):
        return _Zlib("gzip")
    if encoding == "deflate":
        return _Zlib("deflate")
    if encoding == "br" and HAS_BROTLI:
        return _Brotli()
    raise FetchError(
        f"The page at {host} was sent compressed as '{encoding}', which Précis cannot read."
    )
