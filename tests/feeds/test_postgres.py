"""PostgreSQL for real: the migrations from every earlier revision on both backends, and a
server restarted under a running feed service, which reconnects and loses nothing."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from bot.feeds.database import migrate, reset_sequences
from bot.feeds.rows import FeedState
from bot.feeds.schema import utcnow
from bot.feeds.service import FeedService
from bot.feeds.store import Store
from tests.feeds.conftest import FAST, LOOPBACK
from tests.feeds.feedserver import FakeSink, FakeSummarizer, FeedServer
from tests.feeds.test_store import T0, _item
from tests.helpers.pgserver import PgServer, create_database, drop_database

GUILD, CHAN = 111, 222
EARLIER = ["0001", "0002", "0003", "0004", "0005", "0007", "0008", "0009"]
HEAD = "0010"  # the newest revision

# Rows in the columns every revision has (0001's), as an older version wrote them.
OLD_ROWS = (
    "INSERT INTO feeds (id, url, title, created_at, failure_count, failure_notified, "
    "next_poll, item_count) VALUES (1, 'https://news.example.com/rss', 'News', :t, 0, false, "
    ":t, 1)",
    "INSERT INTO subscriptions (id, feed_id, guild_id, channel_id, sentences, include, "
    "exclude, paused, created_at) VALUES (5, 1, 11, 12, 4, '[]', '[]', false, :t)",
    "INSERT INTO items (id, feed_id, key, title, first_seen) VALUES (3, 1, :k, 'Title 1', :t)",
    "INSERT INTO deliveries (id, subscription_id, item_id, status, attempts, next_attempt, "
    "created_at) VALUES (9, 5, 3, 'pending', 0, :t, :t)",
)


async def test_migrations_from_empty_reach_head(empty_db_url: str) -> None:
    assert await migrate(empty_db_url) == HEAD
    assert await migrate(empty_db_url) == HEAD  # again: nothing to do


@pytest.mark.parametrize("start", EARLIER)
async def test_upgrade_from_each_earlier_revision_keeps_the_rows(
    empty_db_url: str, start: str
) -> None:
    assert await migrate(empty_db_url, start) == start
    engine = create_async_engine(empty_db_url)
    async with engine.begin() as conn:
        for statement in OLD_ROWS:
            await conn.execute(sa.text(statement), {"t": T0, "k": _item(1).key})
        await reset_sequences(conn)
    await engine.dispose()
    store = await Store.open(empty_db_url)
    try:
        assert await store.revision() == HEAD
        sub = await store.get_subscription(5)
        assert sub is not None and (sub.guild_id, sub.channel_id, sub.sentences) == (11, 12, 4)
        [due] = await store.due_deliveries(utcnow())
        assert (due.id, due.subscription_id, due.item.title) == (9, 5, "Title 1")
        # New rows take fresh ids after the old ones.
        new = await store.add_subscription(
            feed_url="https://other.example.com/rss", feed_title="Other", site_link=None,
            state=FeedState(None, None), items_now=[_item(2)], guild_id=11, channel_id=13,
            sentences=None, now=utcnow(), next_poll=utcnow(),
        )  # fmt: skip
        assert new.id > 5 and new.feed_id > 1
        assert len(await store.due_deliveries(utcnow())) == 2
    finally:
        await store.close()


@pytest.fixture
async def restartable(postgres: PgServer) -> PgServer:
    if not postgres.controllable:
        pytest.skip("PRECIS_TEST_POSTGRES_URL: the tests cannot restart that server")
    return postgres


async def test_a_query_waits_for_the_server_to_come_back(restartable: PgServer) -> None:
    url = await create_database(restartable)
    store = await Store.open(url)
    try:
        assert await store.stats()
        await asyncio.to_thread(restartable.halt)
        try:
            waiting = asyncio.create_task(store.list_feeds())  # refused: retried
            await asyncio.sleep(0.8)
            assert not waiting.done()
        finally:
            await asyncio.to_thread(restartable.resume)
        assert await waiting == []
    finally:
        await store.close()
        await drop_database(restartable, url)


async def test_a_server_restart_mid_run_loses_nothing(
    restartable: PgServer, server: FeedServer, sink: FakeSink, summarizer: FakeSummarizer
) -> None:
    url = await create_database(restartable)
    store = await Store.open(url)
    poller = FeedService(store, summarizer, sink, FAST, limits=LOOPBACK)
    try:
        live = server.feed("/news.xml")
        live.add(1)
        sub, _, _ = await poller.add_subscription(server.url("/news.xml"), GUILD, CHAN)
        await poller.start()
        await _wait(lambda: len(sink.posts) == 1)
        # The server restarts: every pooled connection dies under the running loops.
        await asyncio.to_thread(restartable.restart)
        live.add(2)
        await store.set_next_poll(sub.feed_id, utcnow())
        poller.rt.wake_poll.set()
        await _wait(lambda: len(sink.posts) == 3)
        await asyncio.to_thread(restartable.restart)
        live.add(1)
        await store.set_next_poll(sub.feed_id, utcnow())
        poller.rt.wake_poll.set()
        await _wait(lambda: len(sink.posts) == 4)
        assert sink.titles() == ["Story 1", "Story 2", "Story 3", "Story 4"]
        assert len({p.nonce for p in sink.posts}) == 4
        # The fourth post is recorded just after the sink took it (its mark_sent may be
        # retried across the restart too): wait for it; then nothing else may be left.
        for _ in range(250):
            if await store.delivery_counts(sub.id) == {"sent": 4}:
                break
            await asyncio.sleep(0.02)
        assert await store.delivery_counts(sub.id) == {"sent": 4}
        assert poller.healthy
    finally:
        await poller.stop()
        await store.close()
        await drop_database(restartable, url)


async def _wait(predicate, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        if loop.time() > end:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)
