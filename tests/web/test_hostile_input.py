"""Hostile bodies for POST /api/v1/summaries (issue 17): each is one clear 4xx with a JSON
{"error": ...}, answered fast; never a 500, a traceback or a hang. Sent byte for byte over
a bare socket to a real server."""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import time
import tracemalloc
import zlib
from typing import Any

import pytest

from bot import metrics
from bot.web import WebApp
from tests.conftest import SEED
from tests.helpers.rawhttp import Answer, chunked, exchange, head, request
from tests.helpers.web import TOKEN, MakeWeb

BOUNDARY = "hostile-boundary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


@pytest.fixture
async def web(make_web: MakeWeb) -> WebApp:
    # After an early answer aiohttp goes on reading what the client sends (up to 10 s),
    # even once the client is gone; stop() waits for that up to its shutdown_timeout.
    return await make_web(shutdown_timeout=0.5)


def part(name: str, value: bytes, *, filename: str | None = None,
         headers: bytes = b"") -> bytes:  # fmt: skip
    disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
    return (f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n".encode() + headers
            + b"\r\n" + value + b"\r\n")  # fmt: skip


def multipart(*parts: bytes) -> bytes:
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def seed_file() -> bytes:
    return part("file", SEED.read_bytes(), filename="seed.txt",
                headers=b"Content-Type: text/plain\r\n")  # fmt: skip


async def post(web: WebApp, body: bytes, content_type: str = "application/json",
               **kw: Any) -> Answer:  # fmt: skip
    return await exchange(web.port, request(body, content_type, **kw))


def refused(answer: Answer, status: int, *words: str) -> str:
    assert answer.status == status, (answer.status, answer.body[:300])
    assert answer.headers["content-type"].startswith("application/json")
    error = answer.json()["error"]
    assert isinstance(error, str) and error
    for word in words:
        assert word.lower() in error.lower(), error
    return error


def summaries_made() -> float:
    return metrics.value("precis_summaries_total", {"door": "api", "outcome": "ok"})


# -- JSON nesting --------------------------------------------------------------------------

DEEP = 100_000


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"[" * DEEP + b"]" * DEEP, "JSON object"),
        (b'{"text": ' + b"[" * DEEP + b"]" * DEEP + b"}", '"text" must be a string'),
        (b'{"sentences": ' + b'{"a": ' * DEEP + b"1" + b"}" * DEEP + b"}", '"sentences"'),
        (b'{"text": "x", "extra": ' + b"[" * DEEP, "Unknown field"),  # never closed
    ],
    ids=["array", "in-text", "objects", "unclosed"],
)
async def test_json_nested_100000_deep_is_a_fast_400(web: WebApp, body: bytes, words: str) -> None:
    """Today's RecursionError path: the nesting is refused before json recurses into it."""
    answer = await post(web, body)
    refused(answer, 400, words)
    assert answer.seconds < 2, answer.seconds


# -- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"sentences": "²"}, '"sentences"'),  # str.isdigit() says yes, int() says no
        ({"sentences": "٣"}, '"sentences"'),  # int() reads Arabic-Indic digits: not ours
        ({"sentences": "9" * 5000}, '"sentences"'),  # int() refuses 4,301 digits
        ({"channel_id": "9" * 5000}, '"channel_id"'),
        ({"channel_id": "¹²³"}, '"channel_id"'),
    ],
)
async def test_number_strings_that_int_would_choke_on_are_400(
    web: WebApp, fields: dict[str, str], words: str
) -> None:
    before = summaries_made()
    answer = await post(web, json.dumps({"text": SEED.read_text(), **fields}).encode())
    refused(answer, 400, words)
    assert summaries_made() == before


async def test_a_5000_digit_json_number_is_400_naming_the_limit(web: WebApp) -> None:
    body = b'{"text": "x", "sentences": ' + b"9" * 5000 + b"}"
    refused(await post(web, body), 400, "20 digits")
    body = b'{"text": "x", "sentences": 1.' + b"5" * 5000 + b"}"
    refused(await post(web, body), 400, "number")


@pytest.mark.parametrize(
    ("name", "value", "status", "words"),
    [
        ("sentences", "²".encode(), 400, '"sentences"'),
        ("sentences", "٣".encode(), 400, '"sentences"'),
        ("channel_id", "¹".encode(), 400, '"channel_id"'),
        ("sentences", b"9" * 5000, 400, "too long"),
    ],
)
async def test_multipart_number_fields_that_int_would_choke_on_are_400(
    web: WebApp, name: str, value: bytes, status: int, words: str
) -> None:
    answer = await post(web, multipart(part(name, value), seed_file()), MULTIPART)
    refused(answer, status, words)


# -- lone surrogates ---------------------------------------------------------------------


@pytest.mark.parametrize("field", ["text", "html", "url"])
async def test_a_lone_surrogate_is_refused_before_any_work(web: WebApp, field: str) -> None:
    """Decided: refused at input. No UTF-8 can carry U+D800, so the answer, a Discord
    embed or a log line would each fail to encode it after the summary was made."""
    text = SEED.read_text().replace(". ", ". \ud800 ")  # in every sentence the summary picks
    value = {"text": text, "html": f"<article><p>{text}</p></article>",
             "url": "https://example.org/\ud800"}[field]  # fmt: skip
    before = summaries_made()
    answer = await post(web, json.dumps({field: value}).encode())  # sent as the escape \ud800
    assert b"\\ud800" in request(json.dumps({field: value}).encode())
    refused(answer, 400, f'"{field}"', "surrogate", "U+D800")
    assert summaries_made() == before


async def test_a_surrogate_pair_is_ordinary_text(web: WebApp) -> None:
    text = SEED.read_text().replace(". ", ". \U0001f600 ")  # json.dumps: "\ud83d\ude00"
    answer = await post(web, json.dumps({"text": text}).encode())
    assert answer.status == 200, answer.body[:300]
    assert "\U0001f600" in json.dumps(answer.json(), ensure_ascii=False)


# -- multipart headers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "status", "words"),
    [
        (b"X-Filler: x\r\n" * 200_000, 400, "multipart"),
        (b"X-Filler: " + b"x" * 2_000_000 + b"\r\n", 413, "header line"),
        (b"no colon here\r\n", 400, "multipart"),
    ],
    ids=["200000-lines", "2MB-line", "no-colon"],
)
async def test_multipart_part_headers_are_bounded(
    web: WebApp, headers: bytes, status: int, words: str
) -> None:
    body = multipart(part("file", b"text", filename="a.txt", headers=headers))
    answer = await post(web, body, MULTIPART)
    refused(answer, status, words)
    assert answer.seconds < 3, answer.seconds


async def test_a_bad_charset_part_is_400(web: WebApp) -> None:
    """aiohttp reads a leading `_charset_` field itself and raises RuntimeError for a long one."""
    body = multipart(part("_charset_", b"x" * 100), seed_file())
    refused(await post(web, body, MULTIPART), 400, "multipart")


async def test_a_chunked_multipart_body_is_cut_at_the_limit(make_web: MakeWeb) -> None:
    """No Content-Length, and 20 MB of preamble lines that never end. The multipart
    reader skips a preamble line by line, each line bounded but not their sum, and the
    size was checked only after a part: the request waited out its body timeout (408).
    The limit now applies while the body is read: 413 once 10 MB have come."""
    app = await make_web(body_timeout=3.0, shutdown_timeout=0.5)
    preamble = (b"x" * 1000 + b"\r\n") * (20 * 1024 * 1024 // 1002)
    endless = chunked(preamble).removesuffix(b"0\r\n\r\n")  # the last chunk never comes
    answer = await exchange(app.port, head(MULTIPART, extra={"Transfer-Encoding": "chunked"})
                            + endless, timeout=10)  # fmt: skip
    refused(answer, 413, "10 MB")
    assert answer.seconds < 2, answer.seconds


async def test_a_chunked_multipart_upload_still_works(web: WebApp) -> None:
    data = request(chunked(multipart(seed_file()), size=1000), MULTIPART,
                   extra={"Transfer-Encoding": "chunked"})  # fmt: skip
    answer = await exchange(web.port, data)
    assert answer.status == 200, answer.body[:300]
    assert answer.json()["summary"]


# -- links -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "link",
    [
        "http://xn--a.example/",  # yarl cannot decode the IDNA host
        "http://" + "a" * 70 + ".org/",  # a label over 63: the resolver cannot encode it
        "http://a..b/",  # an empty label
        "http://[::1/",  # urlsplit: Invalid IPv6 URL
        "http://\u2100.org/",  # urlsplit: NFKC changes the host
    ],
)
async def test_a_link_that_cannot_be_encoded_is_400(web: WebApp, link: str) -> None:
    refused(await post(web, json.dumps({"url": link}).encode()), 400, "link")


# -- names, types, encodings -----------------------------------------------------------------


async def test_huge_or_many_field_names_are_not_echoed_whole(web: WebApp) -> None:
    body = json.dumps({"k" * 1_000_000: 1, "text": "x"}).encode()
    answer = await post(web, body)
    refused(answer, 400, "Unknown field")
    assert len(answer.body) < 1000, len(answer.body)

    body = json.dumps({f"field{i}": i for i in range(10_000)}).encode()
    answer = await post(web, body)
    refused(answer, 400, "fields")
    assert len(answer.body) < 1000, len(answer.body)

    answer = await post(web, multipart(part("n" * 8000, b"1"), seed_file()), MULTIPART)
    refused(answer, 400, "Unknown field")
    assert len(answer.body) < 1000, len(answer.body)


async def test_json_must_be_utf8(web: WebApp) -> None:
    for encoding in ("utf-16", "utf-32", "latin-1"):
        body = json.dumps({"text": "Zoë " + SEED.read_text()}, ensure_ascii=False)
        refused(await post(web, body.encode(encoding, "replace")), 400, "UTF-8")
    # UTF-8 with a byte-order mark is still UTF-8
    answer = await post(web, b"\xef\xbb\xbf" + json.dumps({"text": SEED.read_text()}).encode())
    assert answer.status == 200, answer.body[:300]


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "x-gzip"])
async def test_a_body_that_does_not_match_its_content_encoding_is_400_without_a_traceback(
    web: WebApp, encoding: str, caplog: pytest.LogCaptureFixture
) -> None:
    """aiohttp decoded request bodies itself, and failed again in its read of what was left
    after our answer: a logged traceback for every damaged body, token or not."""
    for token in (TOKEN, None):
        answer = await post(web, b'{"text": "not compressed at all"}', token=token,
                            extra={"Content-Encoding": encoding})  # fmt: skip
        refused(answer, 400 if token else 401)
    await asyncio.sleep(0.1)  # what is left of the connection's work is done
    assert "Content-Encoding" in (await post(web, b"{}", extra={
        "Content-Encoding": encoding})).json()["error"]  # fmt: skip
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


@pytest.mark.parametrize("encoding", ["br", "zstd", "x-unknown", "gzip, gzip"])
async def test_a_content_encoding_we_do_not_decode_is_415(web: WebApp, encoding: str) -> None:
    answer = await post(web, b'{"text": "x"}', extra={"Content-Encoding": encoding})
    refused(answer, 415, "gzip or deflate")


async def test_a_gzip_bomb_is_413_at_the_limit(web: WebApp) -> None:
    body = gzip.compress(b'{"text": "' + b"a" * (50 * 1024 * 1024) + b'"}', 9)  # 50 KB
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        answer = await post(web, body, extra={"Content-Encoding": "gzip"})
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    refused(answer, 413, "10 MB")
    assert answer.seconds < 5
    assert peak < 40 * 1024 * 1024, f"peak {peak / 1048576:.1f} MB"


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
async def test_a_compressed_json_or_multipart_body_still_works(web: WebApp, encoding: str) -> None:
    pack = gzip.compress if encoding == "gzip" else zlib.compress
    body = pack(json.dumps({"text": SEED.read_text()}).encode())
    answer = await post(web, body, extra={"Content-Encoding": encoding})
    assert answer.status == 200, answer.body[:300]
    answer = await post(web, pack(multipart(seed_file())), MULTIPART,
                        extra={"Content-Encoding": encoding})  # fmt: skip
    assert answer.status == 200, answer.body[:300]


async def test_answers_stay_quick_and_the_server_stays_up(web: WebApp) -> None:
    started = time.perf_counter()
    for body in (b"", b"{", b"}", b'{"text": "x"} trailing', b'{"text" "x"}', b"\x00" * 100):
        refused(await post(web, body), 400, "JSON")
    assert time.perf_counter() - started < 5
    health = await exchange(web.port, request(b"", None, path="/healthz", method="GET"))
    assert health.status == 200
