from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from bot.feeds.runtime import FeedsConfig
from bot.feeds.service import FeedService
from bot.feeds.store import Store
from bot.ingest.fetch import FetchLimits
from tests.feeds.feedserver import FakeSink, FakeSummarizer, FeedServer

LOOPBACK = FetchLimits(
    max_bytes=1024 * 1024, timeout=5.0, allowed_networks=(ipaddress.ip_network("127.0.0.1/32"),)
)
FAST = FeedsConfig(
    poll_interval=60.0,
    idle_wake=0.05,
    delivery_retry_base=0.4,  # generous: a slow run_deliveries must not reach a retry
    delivery_retry_max=0.8,
    stop_timeout=0.5,
    failure_notice_after=3,
    max_items_per_poll=5,
)

PollerFactory = Callable[..., Awaitable[FeedService]]


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    srv = FeedServer()
    await srv.start()
    yield srv
    await srv.stop()


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path}/data/precis.sqlite3"


@pytest.fixture
async def store(db_url: str) -> AsyncIterator[Store]:
    st = await Store.open(db_url)
    yield st
    await st.close()


@pytest.fixture
def sink() -> FakeSink:
    return FakeSink()


@pytest.fixture
def summarizer() -> FakeSummarizer:
    return FakeSummarizer()


@pytest.fixture
async def make_poller(
    store: Store, sink: FakeSink, summarizer: FakeSummarizer
) -> AsyncIterator[PollerFactory]:
    made: list[FeedService] = []

    async def make(config: FeedsConfig = FAST, *, on: Store | None = None) -> FeedService:
        poller = FeedService(on or store, summarizer, sink, config, limits=LOOPBACK)
        made.append(poller)
        return poller

    yield make
    for poller in made:
        await poller.stop()


@pytest.fixture
async def poller(make_poller: PollerFactory) -> FeedService:
    return await make_poller()
