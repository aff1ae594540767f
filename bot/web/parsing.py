"""Reading the upload API's request: a JSON object or a multipart/form-data body,
under the size and time limits, into a Source, a sentence count and a channel.
What the fields say is checked by bot.web.fields."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

from aiohttp import BodyPartReader, MultipartReader, hdrs, web
from aiohttp.http_exceptions import BadHttpMessage, LineTooLong

from bot.pipeline import FileSource, HtmlSource, Source, TextSource
from bot.web.answers import ApiError
from bot.web.body import DAMAGED, content_encoding, memory_stream, read_body
from bot.web.config import MAX_FIELD_SIZE, MAX_HEADERS, WebConfig
from bot.web.fields import (
    JSON_FIELDS,
    SOURCE_FIELDS,
    channel_id,
    link_source,
    parse_json,
    sentence_count,
    shorten,
    unknown_fields,
    valid_unicode,
)

MULTIPART_FIELDS = ("file", "sentences", "channel_id")
CHUNK = 64 * 1024
SHOWN_ERROR = 200  # a parser's complaint, which may quote the body, is cut to this


class RequestReader:
    """Reads one upload request under `config`'s limits; raises ApiError for a bad one."""

    def __init__(self, config: WebConfig) -> None:
        self.config = config

    async def read(self, request: web.Request) -> tuple[Source, int | None, int | None]:
        limit = self.config.max_body_bytes
        if request.content_length is not None and request.content_length > limit:
            raise ApiError(413, self._too_large_message())  # before reading a byte
        mimetype = request.content_type
        try:
            async with asyncio.timeout(self.config.body_timeout):
                if mimetype == "application/json":
                    return _from_json(await read_body(request, limit, self._too_large_message()))
                if mimetype == "multipart/form-data":
                    return await self._read_multipart(request)
        except TimeoutError:
            raise ApiError(408, "The request body arrived too slowly.") from None
        except web.RequestPayloadError:  # the connection closed before the body's end
            raise ApiError(400, DAMAGED) from None
        raise ApiError(
            415, "Send application/json ({\"url\"|\"text\"|\"html\": ...}) or "
            "multipart/form-data with a `file` field."
        )  # fmt: skip

    def _too_large_message(self) -> str:
        return (
            f"The request is larger than the {self.config.max_file_bytes / 1048576:.0f} MB limit."
        )

    async def _multipart(self, request: web.Request) -> MultipartReader:
        content = request.content
        if request.content_length is None or content_encoding(request) is not None:
            # Chunked or compressed: nothing else bounds the body as it comes (the
            # multipart reader skips a preamble line by line, with no limit on their
            # sum). It is read whole first, under the limit, and parsed from memory.
            limit = self.config.max_body_bytes
            content = memory_stream(await read_body(request, limit, self._too_large_message()))
        with _bad_multipart():
            return MultipartReader(
                request.headers, content, client_max_size=self.config.max_body_bytes,
                max_field_size=MAX_FIELD_SIZE, max_headers=MAX_HEADERS,
            )  # fmt: skip

    async def _read_multipart(self, request: web.Request) -> tuple[Source, int | None, int | None]:
        reader = await self._multipart(request)
        values: dict[str, str] = {}
        source: FileSource | None = None
        while True:
            with _bad_multipart():
                part = await reader.next()
            if part is None:
                break
            if not isinstance(part, BodyPartReader):
                raise ApiError(400, "Nested multipart bodies are not supported.")
            name = part.name or ""
            if name not in MULTIPART_FIELDS:
                raise ApiError(400, f"Unknown field {shorten(name)!r}; "
                                    f"known: {', '.join(MULTIPART_FIELDS)}.")  # fmt: skip
            if name in values or (name == "file" and source is not None):
                raise ApiError(400, f"The field {name!r} was given twice.")
            encoding = part.headers.get(hdrs.CONTENT_ENCODING, "identity").lower()
            transfer = part.headers.get(hdrs.CONTENT_TRANSFER_ENCODING, "binary").lower()
            if encoding != "identity" or transfer not in ("binary", "8bit", "7bit"):
                raise ApiError(
                    415, "Send the file as it is, without a content or transfer encoding."
                )
            if name == "file":
                data = await self._read_part(part, self.config.max_file_bytes)
                source = FileSource(
                    data=data, name=part.filename,
                    content_type=part.headers.get(hdrs.CONTENT_TYPE),
                )  # fmt: skip
            else:
                raw = await self._read_part(part, 64, too_large=400)
                values[name] = raw.decode("utf-8", "replace").strip()
            if request.content.total_bytes > self.config.max_body_bytes:
                raise ApiError(413, self._too_large_message())
        if source is None:
            raise ApiError(400, "The multipart body has no `file` field.")
        return (source, sentence_count(values.get("sentences")),
                channel_id(values.get("channel_id")))  # fmt: skip

    async def _read_part(self, part: BodyPartReader, limit: int, *, too_large: int = 413) -> bytes:
        data = bytearray()
        while True:
            with _bad_multipart():
                chunk = await part.read_chunk(CHUNK)
            if not chunk:
                return bytes(data)
            data += chunk
            if len(data) > limit:
                if too_large == 413:
                    raise ApiError(413, self._too_large_message())
                raise ApiError(too_large, f"The field {part.name!r} is too long.")


def _from_json(raw: bytes) -> tuple[Source, int | None, int | None]:
    data = parse_json(raw)
    unknown = sorted(set(data) - set(JSON_FIELDS))
    if unknown:
        raise unknown_fields(unknown)
    given = [name for name in SOURCE_FIELDS if data.get(name) is not None]
    if not given:
        raise ApiError(400, 'Give one source: "url", "text" or "html".')
    if len(given) > 1:
        raise ApiError(400, f"Give only one source, not {' and '.join(given)}.")
    name = given[0]
    value = data[name]
    if not isinstance(value, str):
        raise ApiError(400, f'"{name}" must be a string.')
    value = valid_unicode(name, value)
    source: Source
    if name == "url":
        source = link_source(value)
    elif name == "html":
        source = HtmlSource(value)
    else:
        source = TextSource(value)
    return source, sentence_count(data.get("sentences")), channel_id(data.get("channel_id"))


@contextlib.contextmanager
def _bad_multipart() -> Iterator[None]:
    """aiohttp's multipart reader says a body is bad with whatever exception comes to hand."""
    try:
        yield
    except LineTooLong:
        raise ApiError(
            413, f"A multipart header line is longer than {MAX_FIELD_SIZE} bytes."
        ) from None
    except BadHttpMessage as exc:  # more than MAX_HEADERS lines, a line without a colon ...
        raise ApiError(400, f"Bad multipart body: {exc.message}"[:SHOWN_ERROR]) from None
    except (ValueError, RuntimeError, AssertionError) as exc:
        raise ApiError(400, f"Bad multipart body: {exc}"[:SHOWN_ERROR]) from None
