"""`/feed add` on a page full of feed-like links: discovery never blocks the event loop
(the gateway's heartbeats and every other command go on meanwhile)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import pytest

from bot.errors import PrecisError
from bot.feeds.service import FeedService
from bot.feeds.store import Store
from tests.feeds.conftest import FAST, LOOPBACK
from tests.feeds.feedserver import FakeSink, FakeSummarizer, FeedServer

GUILD, CHAN = 111, 222


def _page(links: int) -> bytes:
    anchors = "".join(f"<a href=/r/{n}.rss>" for n in range(links))
    return f"<html><body>{anchors}</body></html>".encode()


async def test_a_page_of_60000_feed_links_does_not_block_the_loop(
    server: FeedServer, store: Store, sink: FakeSink, summarizer: FakeSummarizer
) -> None:
    page = _page(60_000)
    assert len(page) < 2_000_000  # under MAX_FETCH_BYTES: only Manage Channels is needed
    limits = replace(LOOPBACK, max_bytes=5 * 1024 * 1024)
    poller = FeedService(store, summarizer, sink, FAST, limits=limits)
    server.file("/", page, "text/html; charset=utf-8")
    worst = 0.0
    done = False

    async def ticker() -> None:
        nonlocal worst
        last = time.monotonic()
        while not done:
            await asyncio.sleep(0.02)
            now = time.monotonic()
            worst = max(worst, now - last - 0.02)
            last = now

    tick = asyncio.create_task(ticker())
    try:
        with pytest.raises(PrecisError):  # the candidates are 404s: refused, cleanly
            await asyncio.wait_for(
                poller.add_subscription(server.url("/"), GUILD, CHAN), timeout=60
            )
    finally:
        done = True
        await tick
        await poller.stop()
    assert worst < 0.5, f"the event loop was blocked for {worst:.2f} s"


def test_a_page_declaring_a_non_text_charset_is_still_searched() -> None:
    from bot.feeds.scheduler import _discover
    from bot.ingest.fetch import Fetched

    page = b'<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml">'
    fetched = Fetched(url="https://news.example/", status=200, data=page, content_type="text/html",
                      charset="rot13", etag=None, last_modified=None)  # fmt: skip
    assert _discover(fetched) == ["https://news.example/feed.xml"]  # was a LookupError
