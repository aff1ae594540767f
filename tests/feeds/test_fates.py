"""The fates behind `/feed log` and the watch hits, in a real SQLite file: recorded once
per subscription and item, kept 30 days and pruned with the rest."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.feeds.filters import keywords_expression
from bot.feeds.rows import FeedState
from bot.feeds.schema import BACKLOG, FILTERED, PAUSED_FATE, QUEUED, utcnow
from bot.feeds.store import Store
from bot.feeds.watches import WatchHit, watch_nonce
from bot.models import Entity
from tests.feeds.test_store import _item


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(f"sqlite+aiosqlite:///{tmp_path}/precis.sqlite3")
    yield opened
    await opened.close()


async def _subscribe(store: Store, when: dt.datetime) -> int:
    sub = await store.add_subscription(
        feed_url="https://news.example.com/rss", feed_title="News", site_link=None,
        state=FeedState(None, None), items_now=[_item(1), _item(2), _item(3)],
        guild_id=1, channel_id=2, sentences=3, filter=keywords_expression((), ("Body 2",)),
        now=when, next_poll=when,
    )  # fmt: skip
    return sub.id


async def test_a_new_subscription_records_each_item_once(store: Store) -> None:
    sub_id = await _subscribe(store, utcnow())
    log = await store.fate_log(sub_id)
    assert [f.title for f in log] == ["Title 3", "Title 2", "Title 1"]  # newest first
    fates = {f.title: (f.fate, f.reason) for f in log}
    assert fates == {
        "Title 3": (QUEUED, None),
        "Title 2": (FILTERED, 'not (title:"Body 2" or text:"Body 2")'),
        "Title 1": (BACKLOG, "already in the feed when the subscription was made"),
    }


async def test_fates_older_than_30_days_are_pruned(store: Store) -> None:
    sub_id = await _subscribe(store, utcnow() - dt.timedelta(days=31))
    assert len(await store.fate_log(sub_id)) == 3
    await store.prune(utcnow(), keep_days=90)
    assert await store.fate_log(sub_id) == []


async def test_items_new_while_paused_are_recorded_as_such(store: Store) -> None:
    now = utcnow()
    sub_id = await _subscribe(store, now)
    await store.pause_subscription(sub_id, "paused with /feed pause", now=now)
    await store.record_success(
        (await store.get_subscription(sub_id)).feed_id,  # type: ignore[union-attr]
        now=now, next_poll=now, state=FeedState(None, None),
        items=[_item(1), _item(2), _item(3), _item(4)], max_per_poll=5, quiet=True,
    )  # fmt: skip
    newest = (await store.fate_log(sub_id))[0]
    assert (newest.title, newest.fate) == ("Title 4", PAUSED_FATE)


async def test_a_watch_hit_is_recorded_once(store: Store) -> None:
    await _subscribe(store, utcnow())
    watch = await store.add_watch(guild_id=1, channel_id=5, name="Macron", kind=None,
                                  role_id=9, created_by=None, now=utcnow())  # fmt: skip
    hit = WatchHit(watch, Entity(text="Emmanuel Macron", type="person", count=2))
    params = {"title": "T", "feed": "News", "post": "https://discord.com/channels/1/2/3"}
    fired = [await store.record_watch_hits([hit], item_id=1, item_key="k", params=params,
                                           now=utcnow()) for _ in range(2)]  # fmt: skip
    assert fired == [1, 0]
    notices = await store.due_notices(utcnow())
    assert len(notices) == 1 and notices[0].kind == "watch"
    assert notices[0].params["nonce"] == watch_nonce(watch.id, "k")
    assert len(watch_nonce(1, "k")) == 25 and watch_nonce(1, "k") != watch_nonce(2, "k")
    assert (await store.remove_watch(watch.id, guild_id=2)) is None  # another server's
    assert (await store.remove_watch(watch.id, guild_id=1)) == watch
    assert await store.list_watches(1) == []
