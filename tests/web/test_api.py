"""POST /api/v1/summaries against a real server, the real service and the real pipeline."""

from __future__ import annotations

import asyncio
import json
import time
import tracemalloc
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot import metrics
from bot.cli import main as cli_main
from bot.render import to_json_dict
from bot.web import API_PATH, WebApp
from tests.conftest import DATA, SEED
from tests.helpers.web import CHANNEL, OTHER_CHANNEL, TOKEN, MakeWeb, Poster, auth
from tests.helpers.webserver import ThreadedServer

ARTICLES = DATA / "articles"
SUMMARY_KEYS = {"title", "language", "source", "summary", "entities", "stats", "algorithm",
                "image"}  # fmt: skip
BBC = DATA / "html" / "c7e39ac49fa1235f5d50f83bf2444248bd3aa4e6df044377916c812dd109ba23.html"


def api(app: WebApp) -> str:
    return app.url + API_PATH


def form(data: bytes, filename: str = "article.txt", content_type: str = "text/plain",
         **fields: Any) -> aiohttp.FormData:  # fmt: skip
    body = aiohttp.FormData()
    body.add_field("file", data, filename=filename, content_type=content_type)
    for name, value in fields.items():
        body.add_field(name, str(value))
    return body


async def post_json(http: aiohttp.ClientSession, app: WebApp, payload: Any,
                    headers: dict[str, str] | None = None) -> tuple[int, Any]:  # fmt: skip
    async with http.post(api(app), json=payload, headers=headers or auth()) as r:
        return r.status, await r.json()


# -- 200: every kind of source ----------------------------------------------------------


async def test_seed_upload_answers_like_the_command_line(
    web: WebApp, http: aiohttp.ClientSession, capsys: pytest.CaptureFixture[str]
) -> None:
    async with http.post(api(web), data=form(SEED.read_bytes(), SEED.name), headers=auth()) as r:
        assert r.status == 200, await r.text()
        assert r.content_type == "application/json"
        answer = await r.json()
    assert await asyncio.to_thread(cli_main, ["summarize", str(SEED), "--format", "json"]) == 0
    assert answer == json.loads(capsys.readouterr().out)
    assert set(answer) == SUMMARY_KEYS and answer["language"] == "fr" and answer["summary"]
    assert answer["image"] is None


async def test_a_page_answers_with_its_image(web: WebApp, http: aiohttp.ClientSession) -> None:
    html = BBC.read_text(encoding="utf-8")
    status, answer = await post_json(http, web, {"html": html})
    assert status == 200, answer
    assert answer["image"] == "https://ichef.bbci.co.uk/images/ic/1024x576/p07b8nx5.jpg"


async def test_json_text_sentences_and_channel_posts_the_summary(
    web: WebApp, http: aiohttp.ClientSession, poster: Poster
) -> None:
    payload = {"text": SEED.read_text(), "sentences": 2, "channel_id": str(CHANNEL)}
    async with http.post(api(web), json=payload, headers=auth()) as r:
        assert r.status == 200, await r.text()
        answer = await r.json()
        assert r.headers["X-Precis-Channel"] == str(CHANNEL)
        assert r.headers["X-Precis-Message-Id"] == "4243"
    assert len(answer["summary"]) == 2
    [(channel, summary)] = poster.posted
    assert channel == CHANNEL and to_json_dict(summary) == answer


@pytest.mark.parametrize("name", ["en_spacecraft.html", "fr_kremlin.html"])
async def test_json_html_and_multipart_html(
    web: WebApp, http: aiohttp.ClientSession, name: str
) -> None:
    html = (ARTICLES / name).read_bytes()
    status, from_json = await post_json(http, web, {"html": html.decode("utf-8")})
    assert status == 200, from_json
    async with http.post(api(web), data=form(html, name, "text/html", sentences=3),
                         headers=auth()) as r:  # fmt: skip
        assert r.status == 200
        from_file = await r.json()
    assert from_json["title"] and from_json["summary"]
    assert from_file["title"] == from_json["title"]
    assert from_file["language"] == from_json["language"] == name[:2]


async def test_url_is_fetched_and_a_failing_fetch_is_502(
    web: WebApp, http: aiohttp.ClientSession, web_server: ThreadedServer
) -> None:
    page = web_server.add_bytes(
        "/news/story.html", (ARTICLES / "en_spacecraft.html").read_bytes(), "text/html"
    )
    status, answer = await post_json(http, web, {"url": page})
    assert status == 200, answer
    assert answer["language"] == "en" and answer["summary"]

    status, answer = await post_json(http, web, {"url": web_server.url("/missing")})
    assert status == 502, answer
    assert "404" in answer["error"]


# -- errors, each with a JSON body --------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token-wrong-token"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": "Bearer"},
    ],
)
async def test_bad_token_is_401_before_reading_anything(
    web: WebApp, http: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    async with http.post(api(web), json={"text": "x"}, headers=headers) as r:
        assert r.status == 401
        assert r.headers["WWW-Authenticate"].startswith("Bearer")
        assert "token" in (await r.json())["error"]


async def test_no_token_configured_turns_the_api_off(
    make_web: MakeWeb, http: aiohttp.ClientSession
) -> None:
    app = await make_web(api_token=None)
    async with http.post(api(app), json={"text": "x"}, headers=auth()) as r:
        assert r.status == 404
        assert "API_TOKEN" in (await r.json())["error"]


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ({}, "one source"),
        ({"sentences": 3}, "one source"),
        ({"text": "a", "url": "https://example.org/"}, "only one"),
        ({"text": "a", "html": "<p>b</p>"}, "only one"),
        ({"text": 42}, "string"),
        ({"text": "Hello.", "sentence": 3}, "Unknown field"),
        ({"text": "Hello.", "sentences": 0}, "1 to 10"),
        ({"text": "Hello.", "sentences": "three"}, "1 to 10"),
        ({"text": "Hello.", "sentences": True}, "1 to 10"),
        ({"text": "Hello.", "channel_id": "general"}, "channel id"),
        ({"url": "ftp://example.org/news.txt"}, "http"),
        ({"url": "https://"}, "http"),
        ({"text": "   "}, "no text"),
        (["text"], "JSON object"),
    ],
)
async def test_bad_requests_are_400(
    web: WebApp, http: aiohttp.ClientSession, payload: Any, words: str
) -> None:
    status, answer = await post_json(http, web, payload)
    assert status == 400, answer
    assert words.lower() in answer["error"].lower()


async def test_invalid_json_is_400(web: WebApp, http: aiohttp.ClientSession) -> None:
    headers = {**auth(), "Content-Type": "application/json"}
    async with http.post(api(web), data=b'{"text": "unterminated', headers=headers) as r:
        assert r.status == 400
        assert "not valid JSON" in (await r.json())["error"]


async def test_multipart_without_file_or_with_two_is_400(
    web: WebApp, http: aiohttp.ClientSession
) -> None:
    body = aiohttp.FormData(default_to_multipart=True)
    body.add_field("sentences", "3")
    async with http.post(api(web), data=body, headers=auth()) as r:
        assert r.status == 400 and "file" in (await r.json())["error"]
    body = form(SEED.read_bytes())
    body.add_field("file", b"again", filename="b.txt", content_type="text/plain")
    async with http.post(api(web), data=body, headers=auth()) as r:
        assert r.status == 400 and "twice" in (await r.json())["error"]
    body = form(SEED.read_bytes())
    body.add_field("colour", "blue")
    async with http.post(api(web), data=body, headers=auth()) as r:
        assert r.status == 400 and "Unknown field" in (await r.json())["error"]


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (b"just some text", "text/plain"),
        (b"<p>html</p>", "text/html"),
        (b"text=hello", "application/x-www-form-urlencoded"),
    ],
)
async def test_unsupported_request_type_is_415(
    web: WebApp, http: aiohttp.ClientSession, data: bytes, content_type: str
) -> None:
    headers = {**auth(), "Content-Type": content_type}
    async with http.post(api(web), data=data, headers=headers) as r:
        assert r.status == 415
        assert "multipart/form-data" in (await r.json())["error"]


async def test_unsupported_file_type_is_415(web: WebApp, http: aiohttp.ClientSession) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
    async with http.post(api(web), data=form(png, "photo.png", "image/png"), headers=auth()) as r:
        assert r.status == 415, await r.text()
        assert "PNG" in (await r.json())["error"] or "image" in (await r.json())["error"]


async def test_channel_not_allowed_is_403_and_nothing_is_summarized(
    web: WebApp, http: aiohttp.ClientSession, poster: Poster
) -> None:
    before = metrics.value("precis_summaries_total", {"door": "api", "outcome": "ok"})
    status, answer = await post_json(
        http, web, {"text": SEED.read_text(), "channel_id": OTHER_CHANNEL}
    )
    assert status == 403 and "API_ALLOWED_CHANNELS" in answer["error"]
    assert metrics.value("precis_summaries_total", {"door": "api", "outcome": "ok"}) == before
    assert poster.posted == []


async def test_not_an_article_is_422(web: WebApp, http: aiohttp.ClientSession) -> None:
    status, answer = await post_json(http, web, {"text": "Hello there, world."})
    assert status == 422
    assert "no article" in answer["error"]


async def test_posting_failure_is_502_and_unwired_posting_is_503(
    make_web: MakeWeb, http: aiohttp.ClientSession, poster: Poster
) -> None:
    poster.fail = True
    app = await make_web()
    status, answer = await post_json(http, app, {"text": SEED.read_text(), "channel_id": CHANNEL})
    assert status == 502 and "could not be posted" in answer["error"]

    app = await make_web(post_summary=None)
    status, answer = await post_json(http, app, {"text": SEED.read_text(), "channel_id": CHANNEL})
    assert status == 503 and "Posting" in answer["error"]
    status, answer = await post_json(http, app, {"text": SEED.read_text()})
    assert status == 200  # without a channel the API still answers


async def test_wrong_method_is_a_json_405(web: WebApp, http: aiohttp.ClientSession) -> None:
    async with http.get(api(web), headers=auth()) as r:
        assert r.status == 405
        assert "error" in await r.json()


# -- size limit -----------------------------------------------------------------------------

ELEVEN_MB = 11 * 1024 * 1024


async def test_eleven_megabytes_with_content_length_is_413_at_once(
    web: WebApp, http: aiohttp.ClientSession
) -> None:
    data = (SEED.read_bytes() + b"\n") * (ELEVEN_MB // 4000)
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        started = time.perf_counter()
        async with http.post(api(web), data=form(data), headers=auth()) as r:
            assert r.status == 413
            assert "10 MB" in (await r.json())["error"]
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert elapsed < 5, elapsed
    # The client's own copy of the form is counted too; the server adds nothing like 11 MB.
    assert peak < 2 * len(data), peak


async def _stream(total: int, sent: list[int]) -> AsyncIterator[bytes]:
    chunk = b'{"text": "' + b"a" * (64 * 1024 - 10)
    while sent[0] < total:
        sent[0] += len(chunk)
        yield chunk
        chunk = b"a" * (64 * 1024)


async def test_chunked_body_is_cut_off_at_the_limit_without_buffering_it(
    web: WebApp, http: aiohttp.ClientSession
) -> None:
    """No Content-Length: the server reads up to 10 MB, answers 413, keeps nothing more."""
    sent = [0]
    headers = {**auth(), "Content-Type": "application/json"}
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        started = time.perf_counter()
        async with http.post(api(web), data=_stream(40 * 1024 * 1024, sent), headers=headers) as r:
            assert r.status == 413
            assert "error" in await r.json()
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert elapsed < 15, elapsed
    assert peak < 20 * 1024 * 1024, f"peak {peak / 1048576:.1f} MB for a 40 MB body"


async def test_a_file_just_under_the_limit_is_read(
    make_web: MakeWeb, http: aiohttp.ClientSession
) -> None:
    app = await make_web(max_file_bytes=200_000)
    text = SEED.read_bytes()
    ok = (text + b"\n\n") * (190_000 // (len(text) + 2))
    async with http.post(api(app), data=form(ok), headers=auth()) as r:
        assert r.status == 200, await r.text()
    async with http.post(api(app), data=form(ok + text * 3), headers=auth()) as r:
        assert r.status == 413


# -- load -------------------------------------------------------------------------------------


async def _upload(http: aiohttp.ClientSession, app: WebApp, i: int) -> tuple[int, dict[str, Any]]:
    name = ["en_spacecraft.html", "fr_kremlin.html"][i % 2]
    data = form((ARTICLES / name).read_bytes(), name, "text/html")
    async with http.post(api(app), data=data, headers=auth()) as r:
        return r.status, {"body": await r.json(), "retry": r.headers.get("Retry-After")}


async def test_fifty_concurrent_uploads_are_all_answered(
    web: WebApp, http: aiohttp.ClientSession
) -> None:
    started = time.perf_counter()
    results = await asyncio.wait_for(
        asyncio.gather(*(_upload(http, web, i) for i in range(50))), timeout=120
    )
    statuses = [status for status, _ in results]
    print(f"50 uploads: {statuses.count(200)} x 200, {statuses.count(503)} x 503 "
          f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
    # Beyond max_pending (32) requests wait unread for a turn: under this load all succeed.
    assert statuses == [200] * 50
    assert all(extra["body"]["summary"] for _, extra in results)


async def test_backpressure_answers_503_with_retry_after(
    make_web: MakeWeb, http: aiohttp.ClientSession, poster: Poster
) -> None:
    """More requests than can be admitted or wait their turn: a clear 503, never silence."""
    poster.delay = 0.3
    app = await make_web(max_pending=3, admission_wait=0.1)

    async def slow(i: int) -> tuple[int, dict[str, Any]]:
        data = form(SEED.read_bytes(), channel_id=CHANNEL)
        async with http.post(api(app), data=data, headers=auth()) as r:
            return r.status, {"body": await r.json(), "retry": r.headers.get("Retry-After")}

    results = await asyncio.gather(*(slow(i) for i in range(20)))
    statuses = [status for status, _ in results]
    assert statuses.count(200) >= 3 and statuses.count(503) >= 1, statuses
    assert all(extra["retry"] == "5" for status, extra in results if status == 503)
    # and once the crowd is gone, it serves again
    assert (await _upload(http, app, 0))[0] == 200


async def test_stop_lets_an_in_flight_request_finish(
    make_web: MakeWeb, http: aiohttp.ClientSession, poster: Poster
) -> None:
    poster.delay = 0.5
    app = await make_web()
    request = asyncio.create_task(
        post_json(http, app, {"text": SEED.read_text(), "channel_id": CHANNEL})
    )
    await asyncio.wait_for(poster.called.wait(), 30)
    await app.stop()  # SIGTERM path: the bot stops the web first, the request completes
    status, answer = await request
    assert status == 200 and answer["summary"]
    assert [c for c, _ in poster.posted] == [CHANNEL]


def test_status_table_covers_every_error_class() -> None:
    import bot.errors as errors
    from bot.web import ERROR_STATUS, status_for

    classes = [c for c in vars(errors).values()
               if isinstance(c, type) and issubclass(c, errors.PrecisError)]  # fmt: skip
    assert set(classes) <= set(ERROR_STATUS)
    assert status_for(errors.TooLarge("x")) == 413
    assert status_for(errors.BlockedAddress("x")) == 400
    assert status_for(errors.FetchError("x")) == 502
    assert status_for(errors.NotAnArticle("x")) == 422
