"""The API token never reaches a log record, at DEBUG, whatever the client sends."""

from __future__ import annotations

import logging

import aiohttp
import pytest

from bot.web import API_PATH, WebApp
from tests.conftest import SEED
from tests.helpers.web import CHANNEL, TOKEN, MakeWeb, auth

WRONG = "wrong-but-secret-looking-9f8e7d6c5b4a"


def everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    """Messages, formatted text, tracebacks and every `extra=` field of every record."""
    parts = [caplog.text]
    for record in caplog.records:
        parts.append(record.getMessage())
        parts.extend(repr(value) for value in vars(record).values())
    return "\n".join(parts)


async def test_token_never_logged_at_debug(
    make_web: MakeWeb,
    http: aiohttp.ClientSession,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    caplog.set_level(logging.DEBUG)  # every logger: ours, aiohttp's access and server logs
    app: WebApp = await make_web()
    url = app.url + API_PATH
    text = SEED.read_text()
    async with http.post(url, json={"text": text, "channel_id": CHANNEL}, headers=auth()) as r:
        assert r.status == 200
    async with http.post(url, json={"text": text}, headers=auth(WRONG)) as r:
        assert r.status == 401
    async with http.post(url, json={"text": "short"}, headers=auth()) as r:
        assert r.status == 422
    async with http.post(url, data=b"{", headers={**auth(), "Content-Type": "application/json"}):
        pass
    async with http.post(url + f"?token={TOKEN}", json={"text": text}, headers=auth(WRONG)) as r:
        assert r.status == 401  # a token in the query string is not accepted ...
    async with http.get(app.url + "/healthz", headers=auth()) as r:
        assert r.status == 200

    logged = everything_logged(caplog)
    assert "api upload status=200" in logged and "api upload status=401" in logged
    assert WRONG not in logged
    # ... and, sent by mistake in a URL, it is not echoed either: the API logs the path only.
    assert TOKEN not in logged


async def test_one_line_per_api_request_with_fields(
    web: WebApp, http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="precis")
    async with http.post(web.url + API_PATH, json={"text": SEED.read_text()}, headers=auth()) as r:
        assert r.status == 200
    [line] = [rec for rec in caplog.records if getattr(rec, "event", None) == "api"]
    assert line.status == 200 and line.source_kind == "text"  # type: ignore[attr-defined]
    assert line.ms > 0  # type: ignore[attr-defined]
    summary_lines = [rec for rec in caplog.records if rec.getMessage().startswith("summary ")]
    assert len(summary_lines) == 1 and "door=api" in summary_lines[0].getMessage()
