from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import create_async_engine

from bot.feeds.database import migrate, reset_sequences
from bot.feeds.rows import FeedState, delivery_nonce
from bot.feeds.schema import metadata, utcnow
from bot.feeds.store import Store
from bot.ingest.feeds import FeedItem, item_fingerprint, item_key

T0 = dt.datetime(2024, 5, 1, 12, 0)


def _item(n: int) -> FeedItem:
    link = f"https://news.example.com/{n}"
    return FeedItem(
        key=item_key(f"g{n}", link, f"Title {n}", None),
        guid=f"g{n}",
        link=link,
        title=f"Title {n}",
        published=None,
        content_html=f"<p>Body {n}</p>",
        fingerprint=item_fingerprint(f"Title {n}", link, None),
    )


@pytest.fixture
def url(empty_db_url: str) -> str:
    """An empty database on each backend (an SQLite file, a PostgreSQL database)."""
    return empty_db_url


async def _fix_sequences(url: str) -> None:
    """Rows inserted with explicit ids (as an older version wrote them) leave PostgreSQL's
    sequences behind; bring them past the ids in use, as a real history would have."""
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await reset_sequences(conn)
    await engine.dispose()


async def test_open_creates_the_folder_and_reaches_head(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/nested/dir/precis.sqlite3"
    store = await Store.open(url)
    try:
        assert (tmp_path / "nested" / "dir" / "precis.sqlite3").exists()
        assert await store.revision() == "0010"
        assert await store.ping()
        async with store.engine.connect() as conn:
            mode = (await conn.execute(sa.text("PRAGMA journal_mode"))).scalar()
            timeout = (await conn.execute(sa.text("PRAGMA busy_timeout"))).scalar()
            fks = (await conn.execute(sa.text("PRAGMA foreign_keys"))).scalar()
        assert (mode, timeout, fks) == ("wal", 10_000, 1)
    finally:
        await store.close()
    again = await Store.open(url)  # migrating an up-to-date database is a no-op
    assert await again.revision() == "0010"
    await again.close()


async def test_open_reaches_head_on_each_backend(url: str) -> None:
    store = await Store.open(url)
    try:
        assert await store.revision() == "0010" and await store.ping()
    finally:
        await store.close()


async def test_migrations_match_the_models(url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    await migrate(url)
    engine = create_async_engine(url)

    def diff(conn: sa.Connection) -> list[object]:
        return compare_metadata(MigrationContext.configure(conn), metadata)

    async with engine.connect() as conn:
        assert await conn.run_sync(diff) == []
    await engine.dispose()


async def test_upgrade_from_0001_keeps_every_row(url: str) -> None:
    assert await migrate(url, "0001") == "0001"
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(
            sa.text(
                "INSERT INTO feeds (id, url, title, etag, created_at, last_success, "
                "failure_count, failure_notified, next_poll, item_count) VALUES "
                "(1, 'https://news.example.com/rss.xml', 'Old News', '\"e1\"', :t, :t, 0, false, "
                ":t, 2)"
            ),
            {"t": T0},
        )
        await conn.execute(
            sa.text(
                "INSERT INTO subscriptions (id, feed_id, guild_id, channel_id, sentences, "
                "include, exclude, paused, created_at) VALUES "
                "(7, 1, 900000000000000001, 900000000000000002, 4, '[\"rust\"]', '[]', false, "
                ":t)"
            ),
            {"t": T0},
        )
        for n in (1, 2):
            it = _item(n)
            await conn.execute(
                sa.text(
                    "INSERT INTO items (id, feed_id, key, fingerprint, guid, link, title, "
                    "content, first_seen) VALUES (:id, 1, :k, :f, :g, :l, :ti, :c, :t)"
                ),
                {"id": n, "k": it.key, "f": it.fingerprint, "g": it.guid, "l": it.link,
                 "ti": it.title, "c": it.content_html, "t": T0},
            )  # fmt: skip
        await conn.execute(
            sa.text(
                "INSERT INTO deliveries (subscription_id, item_id, status, attempts, "
                "next_attempt, created_at, message_id, sent_at) VALUES "
                "(7, 1, 'sent', 1, :t, :t, 5551, :t), (7, 2, 'pending', 2, :t, :t, NULL, NULL)"
            ),
            {"t": T0},
        )
    await engine.dispose()
    await _fix_sequences(url)

    store = await Store.open(url)
    try:
        assert await store.revision() == "0010"
        sub = await store.get_subscription(7)
        assert sub is not None
        assert (sub.guild_id, sub.channel_id, sub.sentences) == (
            900000000000000001, 900000000000000002, 4,
        )  # fmt: skip
        assert sub.filter == 'title:"rust" or text:"rust"' and sub.feed_title == "Old News"
        feed = await store.get_feed(1)
        assert feed is not None and feed.host == "news.example.com" and feed.etag == '"e1"'
        assert await store.count_items(1) == 2
        due = await store.due_deliveries(utcnow())
        assert [(d.subscription_id, d.item.title, d.attempts) for d in due] == [(7, "Title 2", 2)]
        assert due[0].nonce == delivery_nonce(7, _item(2).key)
        assert await store.sent_items(7) == [(_item(1).key, 5551)]
        # Seen items stay seen after the upgrade: a poll showing them again adds nothing.
        result = await store.record_success(
            1, now=utcnow(), next_poll=utcnow(), state=FeedState('"e2"', None),
            items=[_item(1), _item(2), _item(3)], max_per_poll=5,
        )  # fmt: skip
        assert (result.new_items, result.queued) == (1, 0)  # "Title 3" lacks "rust"
    finally:
        await store.close()


async def test_add_subscription_seeds_without_flood(url: str) -> None:
    store = await Store.open(url)
    try:
        now = utcnow()
        sub = await store.add_subscription(
            feed_url="https://news.example.com/rss", feed_title="News", site_link=None,
            state=FeedState(None, None), items_now=[_item(n) for n in range(1, 11)],
            guild_id=1, channel_id=2, sentences=3, now=now, next_poll=now,
        )  # fmt: skip
        due = await store.due_deliveries(now)
        assert [d.item.title for d in due] == ["Title 10"]
        assert sub.status == "healthy" and await store.count_items(sub.feed_id) == 10
    finally:
        await store.close()


async def test_upgrade_to_0005_keeps_counts_and_adds_server_settings(url: str) -> None:
    """A subscription made before 0005 keeps its count; a new one may follow the server
    (NULL), and its deliveries carry the server's settings as they are when claimed."""
    assert await migrate(url, "0003") == "0003"
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(
            sa.text(
                "INSERT INTO feeds (id, url, title, created_at, failure_count, "
                "failure_notified, next_poll, item_count) VALUES "
                "(1, 'https://news.example.com/rss', 'News', :t, 0, false, :t, 0)"
            ),
            {"t": T0},
        )
        await conn.execute(
            sa.text(
                "INSERT INTO subscriptions (id, feed_id, guild_id, channel_id, sentences, "
                "include, exclude, paused, created_at) VALUES "
                "(7, 1, 11, 12, 4, '[]', '[]', false, :t)"
            ),
            {"t": T0},
        )
    await engine.dispose()
    await _fix_sequences(url)
    store = await Store.open(url)
    try:
        assert await store.revision() == "0010"
        old = await store.get_subscription(7)
        assert old is not None and old.sentences == 4
        now = utcnow()
        sub = await store.add_subscription(
            feed_url="https://other.example.com/rss", feed_title="Other", site_link=None,
            state=FeedState(None, None), items_now=[_item(1)],
            guild_id=11, channel_id=13, sentences=None, now=now, next_poll=now,
        )  # fmt: skip
        assert sub.sentences is None
        (due,) = await store.due_deliveries(now)
        assert due.sentences is None and due.server.sentences is None
        saved = await store.set_server_settings(11, {"sentences": 2, "languages": ("fr",)})
        assert (saved.sentences, saved.languages, saved.color) == (2, ("fr",), None)
        await store.set_server_settings(11, {"color": 0x1F8B4C})
        (due,) = await store.due_deliveries(now)
        assert (due.server.sentences, due.server.color, due.server.languages) == (
            2, 0x1F8B4C, ("fr",))  # fmt: skip
        assert (await store.get_server_settings(99)).sentences is None
        assert await store.mark_skipped(due.id, "in language en")
        assert await store.skipped_counts(11) == {sub.id: 1}
        assert await store.due_deliveries(now) == []
    finally:
        await store.close()


async def test_due_deliveries_never_overtake_a_waiting_item(url: str) -> None:
    store = await Store.open(url)
    try:
        now = utcnow()
        sub = await store.add_subscription(
            feed_url="https://news.example.com/rss", feed_title="News", site_link=None,
            state=FeedState(None, None), items_now=[_item(n) for n in range(1, 4)],
            guild_id=1, channel_id=2, sentences=3, backlog=True, now=now, next_poll=now,
        )  # fmt: skip
        first, *rest = await store.due_deliveries(now)
        assert first.item.title == "Title 1" and len(rest) == 2
        await store.mark_retry(first.id, now + dt.timedelta(minutes=5), "503")
        assert await store.due_deliveries(now) == []
        later = now + dt.timedelta(minutes=6)
        assert [d.item.title for d in await store.due_deliveries(later)] == [
            "Title 1", "Title 2", "Title 3",
        ]  # fmt: skip
        assert await store.next_delivery_at() == (now + dt.timedelta(minutes=5))
        await store.mark_sent(first.id, 42, later)
        assert (await store.delivery_counts(sub.id)) == {"pending": 2, "sent": 1}
    finally:
        await store.close()


async def test_prune_forgets_only_items_long_gone(url: str) -> None:
    store = await Store.open(url)
    try:
        long_ago = utcnow() - dt.timedelta(days=200)
        await store.add_subscription(
            feed_url="https://news.example.com/rss", feed_title="News", site_link=None,
            state=FeedState(None, None), items_now=[_item(1), _item(2)],
            guild_id=1, channel_id=2, sentences=3, now=long_ago, next_poll=long_ago,
        )  # fmt: skip
        # item 2 has a pending delivery (the newest): kept; item 1: forgotten
        assert await store.prune(utcnow(), keep_days=90) == 1
        assert (await store.stats())["items"] == 1
    finally:
        await store.close()


async def test_an_overlong_etag_is_dropped_not_refused(db_url: str) -> None:
    """PostgreSQL enforces VARCHAR lengths (SQLite does not): a server's 600-character
    ETag must not make every poll of its feed fail."""
    store = await Store.open(db_url)
    try:
        now = utcnow()
        sub = await store.add_subscription(
            feed_url="https://news.example.com/rss", feed_title="News", site_link=None,
            state=FeedState("x" * 600, "y" * 200), items_now=[_item(1)],
            guild_id=1, channel_id=2, sentences=3, now=now, next_poll=now,
        )  # fmt: skip
        result = await store.record_success(
            sub.feed_id, now=now, next_poll=now, state=FeedState('"' + "e" * 600 + '"', None),
            items=[_item(1), _item(2)], max_per_poll=5,
        )  # fmt: skip
        feed = await store.get_feed(sub.feed_id)
        assert result.new_items == 1 and feed is not None
        assert (feed.etag, feed.last_modified) == (None, None)
    finally:
        await store.close()


def test_nonce_is_short_and_deterministic() -> None:
    a = delivery_nonce(12, "g:abc")
    assert len(a) == 25 and a == delivery_nonce(12, "g:abc")
    assert a != delivery_nonce(13, "g:abc") and a != delivery_nonce(12, "g:abd")


def test_schema_compiles_for_postgresql() -> None:
    from sqlalchemy.schema import CreateIndex, CreateTable

    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    for table in metadata.sorted_tables:
        assert "CREATE TABLE" in str(CreateTable(table).compile(dialect=dialect))
        for index in table.indexes:
            str(CreateIndex(index).compile(dialect=dialect))


def test_migrations_render_for_postgresql() -> None:
    """Offline mode renders every migration as PostgreSQL SQL: nothing SQLite-only."""
    import io

    from alembic import command
    from alembic.config import Config

    from bot.feeds.database import MIGRATIONS

    out = io.StringIO()
    config = Config(output_buffer=out)
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", "postgresql://user@localhost/precis")
    command.upgrade(config, "0001", sql=True)
    sql = out.getvalue()
    assert "CREATE TABLE feeds" in sql and "BIGINT" in sql and "JSON" in sql


async def test_upgrade_to_0006_turns_keywords_into_filter_expressions(url: str) -> None:
    """include/exclude keywords become one expression meaning the same; the old columns
    are left empty; a subscription without keywords has no filter."""
    assert await migrate(url, "0005") == "0005"
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(
            sa.text(
                "INSERT INTO feeds (id, url, title, created_at, failure_count, "
                "failure_notified, next_poll, item_count) VALUES "
                "(1, 'https://news.example.com/rss', 'News', :t, 0, false, :t, 0)"
            ),
            {"t": T0},
        )
        await conn.execute(
            sa.text(
                "INSERT INTO subscriptions (id, feed_id, guild_id, channel_id, sentences, "
                "include, exclude, paused, created_at) VALUES "
                "(7, 1, 11, 12, 4, '[\"day 2\", \"say \\\"hi\\\"\"]', '[\" sport \"]', false, :t),"
                "(8, 1, 11, 13, NULL, '[]', '[]', false, :t)"
            ),
            {"t": T0},
        )
    await engine.dispose()
    store = await Store.open(url)
    try:
        assert await store.revision() == "0010"
        sub, plain = await store.get_subscription(7), await store.get_subscription(8)
        assert sub is not None and plain is not None and plain.filter is None
        assert sub.filter == (
            '(title:"day 2" or text:"day 2" or title:"say \\"hi\\"" or text:"say \\"hi\\"") '
            'and not (title:"sport" or text:"sport")'
        )
        async with store._read() as conn:
            row = (await conn.execute(sa.text("SELECT include, exclude FROM subscriptions "
                                              "WHERE id = 7"))).one()  # fmt: skip
        assert [str(v).replace(" ", "") for v in row] == ["[]", "[]"]
    finally:
        await store.close()
