"""`precis migrate-db`: an SQLite database copied to PostgreSQL keeps every row, and the
bot goes on there (new rows get fresh ids); a target that holds rows is refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.cli import main
from bot.feeds.copydb import CopyError, copy_database
from bot.feeds.filters import keywords_expression
from bot.feeds.rows import FeedState
from bot.feeds.schema import SENT, utcnow
from bot.feeds.store import Store
from tests.feeds.test_store import _item
from tests.helpers.pgserver import PgServer, create_database, drop_database


async def _fill(url: str) -> int:
    store = await Store.open(url)
    try:
        now = utcnow()
        sub = await store.add_subscription(
            feed_url="https://news.example.com/rss", feed_title="News", site_link=None,
            state=FeedState('"e1"', None), items_now=[_item(n) for n in range(1, 5)],
            guild_id=11, channel_id=12, sentences=None,
            filter=keywords_expression([], ["sport"]), backlog=True,
            now=now, next_poll=now,
        )  # fmt: skip
        first, *_ = await store.claim_due_deliveries(now, "w", lease=60)
        assert await store.mark_sent(first.id, 5551, now, first.lease_token)
        await store.set_server_settings(11, {"sentences": 2, "languages": ("fr", "en")})
        feed = (await store.list_feeds())[0]
        await store.record_failure(feed.id, now=now, error="boom", next_poll=now, notice_after=1)
        return sub.id
    finally:
        await store.close()


async def _snapshot(url: str, sub_id: int) -> tuple[object, ...]:
    store = await Store.open(url)
    try:
        later = utcnow() + dt.timedelta(days=1)
        return (
            await store.stats(),
            await store.delivery_counts(),
            await store.sent_items(sub_id),
            [(d.id, d.item.key, d.item.title) for d in await store.due_deliveries(later)],
            await store.get_subscription(sub_id),
            await store.get_server_settings(11),
            [(n.kind, n.params) for n in await store.due_notices(later)],
            [f.etag for f in await store.list_feeds()],
        )
    finally:
        await store.close()


async def test_sqlite_to_postgresql_keeps_everything(tmp_path: Path, postgres: PgServer) -> None:
    source = f"sqlite+aiosqlite:///{tmp_path}/precis.sqlite3"
    target = await create_database(postgres)
    try:
        sub_id = await _fill(source)
        counts = await copy_database(source, target)
        assert counts["items"] == 4 and counts["deliveries"] == 4 and counts["notices"] == 1
        before, after = await _snapshot(source, sub_id), await _snapshot(target, sub_id)
        assert after == before and (await _counts_sent(target)) == 1
        store = await Store.open(target)  # the bot goes on: new ids follow the copied ones
        try:
            new = await store.add_subscription(
                feed_url="https://other.example.com/rss", feed_title="Other", site_link=None,
                state=FeedState(None, None), items_now=[_item(9)], guild_id=11,
                channel_id=13, sentences=3, now=utcnow(), next_poll=utcnow(),
            )  # fmt: skip
            assert new.id > sub_id
        finally:
            await store.close()
        with pytest.raises(CopyError, match="not empty"):
            await copy_database(source, target)
    finally:
        await drop_database(postgres, target)


async def _counts_sent(url: str) -> int:
    store = await Store.open(url)
    try:
        return (await store.delivery_counts()).get(SENT, 0)
    finally:
        await store.close()


def test_the_command_line_copies_and_refuses_a_second_copy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio

    source = f"sqlite+aiosqlite:///{tmp_path}/a.sqlite3"
    target = f"sqlite+aiosqlite:///{tmp_path}/b.sqlite3"
    asyncio.run(_fill(source))
    assert main(["migrate-db", "--from", source, "--to", target]) == 0
    assert "items 4" in capsys.readouterr().out
    assert main(["migrate-db", "--from", source, "--to", target]) == 1
    assert "not empty" in capsys.readouterr().err
