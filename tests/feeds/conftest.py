"""Fixtures of the feeds tests. Every test that touches the database runs twice: on an
SQLite file and on a real PostgreSQL server (`db_url`, `empty_db_url`: parametrised
`sqlite` / `postgresql`). The server is started once per session (tests/helpers/pgserver.py)
and each test gets a database of its own. When it cannot start, the PostgreSQL runs fail
if `PRECIS_REQUIRE_POSTGRES=1` (`.ci/run` sets it) and are skipped, with the reason,
otherwise."""

from __future__ import annotations

import asyncio
import ipaddress
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest

from bot.feeds.runtime import FeedsConfig
from bot.feeds.service import FeedService
from bot.feeds.store import Store
from bot.ingest.fetch import FetchLimits
from tests.feeds.feedserver import FakeSink, FakeSummarizer, FeedServer
from tests.helpers.pgserver import (
    PgServer,
    PgUnavailable,
    create_database,
    drop_database,
    start_server,
)

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


BACKENDS = ["sqlite", "postgresql"]
HEAD_TEMPLATE = "precis_head"  # a database migrated to head, copied for each test


async def _make_head_template(server: PgServer) -> None:
    import asyncpg

    from bot.feeds.database import migrate

    conn = await asyncpg.connect(server.asyncpg_dsn())
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{HEAD_TEMPLATE}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{HEAD_TEMPLATE}"')
    finally:
        await conn.close()
    await migrate(server.url(HEAD_TEMPLATE))


@pytest.fixture(scope="session")
def postgres() -> Iterator[PgServer]:
    try:
        server = start_server()
    except PgUnavailable as exc:
        if os.environ.get("PRECIS_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PRECIS_REQUIRE_POSTGRES=1 but {exc}", pytrace=False)
        pytest.skip(f"PostgreSQL unavailable: {exc}")
    try:
        asyncio.run(_make_head_template(server))
        yield server
    finally:
        server.stop()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def pg(backend: str, request: pytest.FixtureRequest) -> PgServer | None:
    """The PostgreSQL server in the `postgresql` runs, None in the SQLite ones."""
    if backend == "sqlite":
        return None
    server: PgServer = request.getfixturevalue("postgres")
    return server


async def _database(pg: PgServer | None, tmp_path: Path, template: str | None) -> str:
    if pg is None:
        return f"sqlite+aiosqlite:///{tmp_path}/data/precis.sqlite3"
    return await create_database(pg, template=template)


@pytest.fixture
async def db_url(pg: PgServer | None, tmp_path: Path) -> AsyncIterator[str]:
    """A database for `Store.open`: a new SQLite file, or a PostgreSQL database at head."""
    url = await _database(pg, tmp_path, HEAD_TEMPLATE)
    yield url
    if pg is not None:
        await drop_database(pg, url)


@pytest.fixture
async def empty_db_url(pg: PgServer | None, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database (no table): for the migration tests."""
    url = await _database(pg, tmp_path, None)
    yield url
    if pg is not None:
        await drop_database(pg, url)


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
