"""GET /metrics: Prometheus text from Précis's own registry, moving as work is done."""

from __future__ import annotations

from typing import Any

import aiohttp
import discord
import pytest
from aiohttp import web
from prometheus_client import REGISTRY as GLOBAL_REGISTRY
from prometheus_client.parser import text_string_to_metric_families

import bot.service
from bot import metrics
from bot.web import API_PATH, WebApp
from tests.conftest import SEED
from tests.fakediscord import FakeDiscord, point_discord_py_at
from tests.helpers.web import auth


async def scrape(
    http: aiohttp.ClientSession, app: WebApp
) -> dict[tuple[str, tuple[Any, ...]], float]:
    async with http.get(app.url + "/metrics") as r:
        assert r.status == 200
        assert r.headers["Content-Type"].startswith("text/plain; version=")
        text = await r.text()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def key(name: str, **labels: str) -> tuple[str, tuple[Any, ...]]:
    return name, tuple(sorted(labels.items()))


@pytest.mark.skipif(
    not hasattr(bot.service, "metrics"),
    reason="bot/service.py does not call metrics.summary_done yet (proposed change)",
)
async def test_metrics_move_as_summaries_are_made(web: WebApp, http: aiohttp.ClientSession) -> None:
    before = await scrape(http, web)
    ok = key("precis_summaries_total", door="api", outcome="ok")
    rejected = key("precis_summaries_total", door="api", outcome="rejected")
    latency = key("precis_summarize_seconds_count", door="api")
    assert ok in before and rejected in before  # exported from the start, at zero or more

    for _ in range(2):
        async with http.post(web.url + API_PATH, json={"text": SEED.read_text()},
                             headers=auth()) as r:  # fmt: skip
            assert r.status == 200
    async with http.post(web.url + API_PATH, json={"text": "Too short."}, headers=auth()) as r:
        assert r.status == 422

    after = await scrape(http, web)
    assert after[ok] - before[ok] == 2
    assert after[rejected] - before[rejected] == 1
    assert after[latency] - before[latency] == 3
    assert after[key("precis_summarize_seconds_sum", door="api")] > before.get(
        key("precis_summarize_seconds_sum", door="api"), 0)  # fmt: skip
    status_200 = key("precis_api_requests_total", status="200")
    assert after[status_200] - before.get(status_200, 0) == 2
    assert after[key("precis_build_info", version=metrics.__version__)] == 1
    assert ("process_resident_memory_bytes", ()) in after


async def test_queue_gauge_is_read_from_a_callable_at_scrape_time(
    web: WebApp, http: aiohttp.ClientSession
) -> None:
    length = {"n": 7}

    async def queue_length() -> int:
        return length["n"]

    metrics.track_queue_length(queue_length)
    try:
        assert (await scrape(http, web))[key("precis_delivery_queue_length")] == 7
        length["n"] = 3
        assert (await scrape(http, web))[key("precis_delivery_queue_length")] == 3

        def broken() -> int:
            raise RuntimeError("database is locked")

        metrics.track_queue_length(broken)  # a scrape never fails because of a source
        assert (await scrape(http, web))[key("precis_delivery_queue_length")] == 3
        metrics.track_queue_length(lambda: 1)
        assert (await scrape(http, web))[key("precis_delivery_queue_length")] == 1
    finally:
        metrics.track_queue_length(None)


def test_feed_poll_and_summary_functions() -> None:
    polls = key("precis_feed_polls_total", result="failed")
    before_failed = metrics.value("precis_feed_polls_total", {"result": "failed"})
    before_failures = metrics.value("precis_feed_poll_failures_total")
    metrics.feed_polled("ok")
    metrics.feed_polled("failed")
    metrics.feed_polled("weird")  # unknown results count as failures, labels stay bounded
    assert metrics.value(polls[0], dict(polls[1])) == before_failed + 2
    assert metrics.value("precis_feed_poll_failures_total") == before_failures + 2

    before = metrics.value("precis_summaries_total", {"door": "other", "outcome": "ok"})
    metrics.summary_done("https://a-url-is-no-label.example", "ok", 0.1)
    assert metrics.value("precis_summaries_total", {"door": "other", "outcome": "ok"}) == before + 1


def test_own_registry_not_the_global_one() -> None:
    assert metrics.REGISTRY is not GLOBAL_REGISTRY
    assert GLOBAL_REGISTRY.get_sample_value("precis_summaries_total",
                                            {"door": "api", "outcome": "ok"}) is None  # fmt: skip


async def test_discord_429s_are_counted_through_discord_py() -> None:
    """discord.py's own HTTP client, given our trace config, against the emulator's 429."""
    async with FakeDiscord() as fake:
        restore = point_discord_py_at(fake.api_base, fake.gateway_url)
        client = discord.Client(
            intents=discord.Intents.none(), http_trace=metrics.discord_trace_config()
        )
        before = sum(metrics.value("precis_discord_rate_limited_total", {"scope": s})
                     for s in metrics.RATE_LIMIT_SCOPES)  # fmt: skip
        try:
            fake.inject_fault("GET", r"^/users/@me", kind="ratelimit", retry_after=0.05)
            await client.login(fake.token)  # 429, discord.py waits and retries, logs in
            assert client.user is not None
        finally:
            await client.close()
            restore()
        after = sum(metrics.value("precis_discord_rate_limited_total", {"scope": s})
                    for s in metrics.RATE_LIMIT_SCOPES)  # fmt: skip
        assert after == before + 1


@pytest.fixture
async def tiny_429_server() -> Any:
    async def limited(_: web.Request) -> web.Response:
        return web.json_response({"retry_after": 0}, status=429,
                                 headers={"X-RateLimit-Scope": "shared"})  # fmt: skip

    app = web.Application()
    app.router.add_get("/", limited)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}/"
    await runner.cleanup()


async def test_rate_limit_scope_label(tiny_429_server: str) -> None:
    before = metrics.value("precis_discord_rate_limited_total", {"scope": "shared"})
    trace = metrics.discord_trace_config()
    async with aiohttp.ClientSession(trace_configs=[trace]) as s, s.get(tiny_429_server) as r:
        assert r.status == 429
    assert metrics.value("precis_discord_rate_limited_total", {"scope": "shared"}) == before + 1
