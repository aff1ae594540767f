"""SummaryService: the per-user cooldown and the bound on concurrent summaries."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web

from bot.pipeline import TextSource, UrlSource
from bot.service import Busy, Cooldowns, SummaryService
from config.settings import load_settings
from tests.conftest import SEED
from tests.helpers.webserver import ThreadedServer


def test_cooldown_counts_down_per_user() -> None:
    cooldowns = Cooldowns(10)
    assert cooldowns.check(1, now=100.0) == 0
    assert cooldowns.check(1, now=104.0) == pytest.approx(6.0)
    assert cooldowns.check(2, now=104.0) == 0  # another user is not held back
    assert cooldowns.check(1, now=110.5) == 0


async def test_concurrent_summaries_are_bounded(web_server: ThreadedServer) -> None:
    page = (SEED.read_text(encoding="utf-8")).encode()

    async def slow(_: web.Request) -> web.Response:
        await asyncio.sleep(1.0)
        return web.Response(body=page, content_type="text/plain", charset="utf-8")

    url = web_server.add("/slow", slow)
    settings = load_settings(_env_file=None, max_concurrent_summaries=1, user_cooldown_seconds=0,
                             fetch_allowed_networks=["127.0.0.1/32"])  # fmt: skip
    service = SummaryService(settings)
    try:
        service.admit(1)
        first = asyncio.create_task(
            service.summarize(UrlSource(url), service.options(), door="test")
        )
        await asyncio.sleep(0.2)
        with pytest.raises(Busy) as busy:
            service.admit(2)
        assert "try again in" in str(busy.value).lower()
        _, summary = await first
        assert summary.language == "fr"
        service.admit(2)  # free again
        _, again = await service.summarize(TextSource(page.decode()), service.options(2),
                                           door="test")  # fmt: skip
        assert len(again.summary) == 2
        assert service.made == 2
    finally:
        service.close()
