"""The pieces of the forum/thread guard that need no Discord: a post's name, the intent
recorded before a forum post, the threads already recorded, and the 0004 upgrade."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from bot.feeds.database import migrate
from bot.feeds.posting import NAME_MAX, post_name
from bot.feeds.rows import FeedState, Placement
from bot.feeds.schema import CHANNEL, FORUM, THREAD, utcnow
from bot.feeds.store import Store
from tests.feeds.test_store import T0, _item


def test_a_post_name_is_one_clean_line_of_1_to_100_characters() -> None:
    assert post_name("Harbour story 1") == "Harbour story 1"
    assert post_name("  Two\nlines\u202e and\ttabs  ") == "Two lines and tabs"
    assert post_name("", "Loopback News") == "Loopback News"
    assert post_name(None, None) == "New item"
    assert post_name("\u200b\u202e", " ") == "New item"
    assert post_name("@everyone look") == "@\u200beveryone look"  # no ping, even in a name
    long = "The harbour council met again " * 10
    name = post_name(long)
    assert len(name) <= NAME_MAX and name.endswith("…")
    assert long.startswith(name[:-1]) and long[len(name) - 1] == " "  # cut at a word
    one_word = "x" * 300
    assert post_name(one_word) == "x" * (NAME_MAX - 1) + "…"


async def _store_with_delivery(db_url: str, placement: Placement) -> tuple[Store, int]:
    store = await Store.open(db_url)
    now = utcnow()
    sub = await store.add_subscription(
        feed_url="https://news.example.com/rss", feed_title="News", site_link=None,
        state=FeedState(None, None), items_now=[_item(1)], guild_id=1, channel_id=100,
        sentences=3, now=now, next_poll=now, placement=placement,
    )  # fmt: skip
    assert (sub.mode, sub.tag_id, sub.tag_name) == (placement.mode, placement.tag_id,
                                                    placement.tag_name)  # fmt: skip
    return store, sub.id


async def test_the_intent_keeps_its_first_time_and_name_and_is_fenced(db_url: str) -> None:
    store, _ = await _store_with_delivery(db_url, Placement(FORUM, 77, "Local"))
    try:
        [d] = await store.claim_due_deliveries(utcnow(), "w", lease=60)
        assert (d.mode, d.tag_id, d.intent_at, d.thread_name) == (FORUM, 77, None, None)
        first = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
        assert await store.mark_intent(d.id, "Title 1", first, d.lease_token) == (first, "Title 1")
        later = first + dt.timedelta(minutes=5)
        # a second attempt (a new name, say, after the page changed) keeps the first ones
        assert await store.mark_intent(d.id, "Other", later, d.lease_token) == (first, "Title 1")
        assert await store.mark_intent(d.id, "x", later, d.lease_token + 1) is None  # stale
        await store.release_deliveries([(d.id, d.lease_token)])
        [again] = await store.claim_due_deliveries(utcnow(), "w", lease=60)
        assert (again.intent_at, again.thread_name) == (first, "Title 1")
        assert await store.recorded_threads([555, 556]) == set()
        assert await store.mark_sent(again.id, 555, utcnow(), again.lease_token, thread_id=555)
        assert await store.recorded_threads([555, 556]) == {555}
    finally:
        await store.close()


async def test_a_thread_post_keeps_its_message_between_the_two_steps(db_url: str) -> None:
    store, sub_id = await _store_with_delivery(db_url, Placement(THREAD))
    try:
        [d] = await store.claim_due_deliveries(utcnow(), "w", lease=60)
        assert await store.mark_posted(d.id, 4242, "Title 1", d.lease_token)
        assert await store.mark_retry(d.id, utcnow(), "Discord answered 503", d.lease_token)
        [again] = await store.claim_due_deliveries(utcnow(), "w", lease=60)
        assert (again.message_id, again.thread_name) == (4242, "Title 1")
        # the thread step completes without a message id of its own: the message stays
        assert await store.mark_sent(again.id, None, utcnow(), again.lease_token, thread_id=4242)
        assert await store.sent_items(sub_id) == [(_item(1).key, 4242)]
    finally:
        await store.close()


async def test_upgrade_from_0003_makes_every_subscription_a_channel_one(
    empty_db_url: str,
) -> None:
    url = empty_db_url
    assert await migrate(url, "0003") == "0003"
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(sa.text(
            "INSERT INTO feeds (id, url, title, created_at, failure_count, failure_notified, "
            "next_poll, item_count, host) VALUES (1, 'https://n.example/rss', 'N', :t, 0, false, "
            ":t, 0, 'n.example')"), {"t": T0})  # fmt: skip
        await conn.execute(sa.text(
            "INSERT INTO subscriptions (id, feed_id, guild_id, channel_id, sentences, include, "
            "exclude, paused, created_at) VALUES (3, 1, 9, 10, 3, '[]', '[]', false, :t)"),
            {"t": T0})  # fmt: skip
    await engine.dispose()
    store = await Store.open(url)
    try:
        sub = await store.get_subscription(3)
        assert sub is not None and (sub.mode, sub.tag_id, sub.tag_name) == (CHANNEL, None, None)
    finally:
        await store.close()
