"""`/feed log` end to end: every fate an item can meet happens for real (loopback feeds, the
Discord emulator, the bot's SQLite file), and the log explains each."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import pytest

from bot.feeds.fates import RETRY
from tests.cogs.test_feeds import add_items, feed_command, live_feed, posts, reply_text
from tests.cogs.test_settings import settings
from tests.discord_adapter.conftest import Harness
from tests.feeds.feedserver import Entry, FeedServer


@pytest.fixture
def bot_overrides() -> dict[str, Any]:
    # polls are explicit; a failed post waits an hour (so "waiting for a retry" stays);
    # one new item per poll (so two new items meet the flood cap)
    return {"feed_poll_interval": 3600, "feed_retry_seconds": 3600, "feed_max_items_per_poll": 1}


def log_lines(view: dict[str, Any]) -> dict[str, str]:
    """The log's lines by the number of the story they are about (joined by " | ")."""
    assert view["ephemeral"], view
    embed = view["initial"]["data"]["embeds"][0]
    lines: dict[str, str] = {}
    for line in embed["description"].split("\n"):
        number = line.split("Story number ", 1)[1].split(" ", 1)[0]
        lines[number] = f"{lines[number]} | {line}" if number in lines else line
    return lines


async def until(check: Any, timeout: float = 20) -> None:
    for _ in range(int(timeout * 10)):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("timed out")


async def test_feed_log_explains_every_fate(harness: Harness, feeds: FeedServer) -> None:
    h, store = harness, harness.bot.store
    guild = int(h.guild["id"])
    news = int(h.guild["channels"]["news"])
    feed = live_feed(feeds, items=3)
    feed.entries[1].title = "Story number 2 about the sport pages"
    await feed_command(h, "add", {"url": feeds.url("/feed.xml"), "channel": news,
                                  "exclude": "sport"})  # fmt: skip
    sub = (await store.list_subscriptions(channel_id=news))[0]
    first = (await posts(h, news, 1))[0]  # story 3; 2 is filtered, 1 is older than us

    # story 3 again under a new GUID (a duplicate), and two new ones for a cap of one
    e3 = feed.entries[2]
    feed.entries.append(Entry(99, e3.title, e3.link, "story-3-again", e3.published, "<p>x</p>"))
    add_items(feeds, feed, 2)  # stories 4 (over the cap) and 5 (posted)
    await h.bot.feeds.poll_now(sub.feed_id)
    second = (await posts(h, news, 2))[1]
    await h.fake.wait_for_messages(news, 3)  # the flood notice

    await settings(h, {"languages": "fr"})  # story 6 is English: skipped
    add_items(feeds, feed, 1)
    await h.bot.feeds.poll_now(sub.feed_id)
    await until(lambda: _has(store, sub.id, "skipped"))
    await settings(h, {"languages": "any"})

    h.fake.inject_fault("POST", rf"^/channels/{news}/messages", kind="status", status=503)
    add_items(feeds, feed, 1)  # story 7: Discord fails, a retry waits an hour
    await h.bot.feeds.poll_now(sub.feed_id)

    async def retrying() -> bool:
        return any(f.fate == RETRY for f in await store.fate_log(sub.id))

    await until(retrying)

    # another feed in #general: its post fails for good (one attempt allowed)
    rt = h.bot.feeds.rt
    rt.config = dataclasses.replace(rt.config, delivery_max_attempts=1)
    other = feeds.feed("/other.xml")
    add_items(feeds, other, 1)
    h.fake.inject_fault("POST", rf"^/channels/{h.channel}/messages", kind="status", status=503)
    await feed_command(h, "add", {"url": feeds.url("/other.xml")})
    failing = (await store.list_subscriptions(channel_id=h.channel))[0]
    await until(lambda: _has(store, failing.id, "failed"))

    lines = log_lines(await feed_command(h, "log", {"subscription": sub.id}))
    link = f"https://discord.com/channels/{guild}/{news}"
    assert f"posted: [the message]({link}/{first['id']})" in lines["3"], lines
    assert f"posted: [the message]({link}/{second['id']})" in lines["5"], lines
    assert 'filtered out by not (title:"sport" or text:"sport")' in lines["2"], lines
    assert "older than the subscription" in lines["1"], lines
    assert "duplicate: same title and link as an item already seen" in lines["3"], lines
    assert "over the flood cap: 2 new items in one poll" in lines["4"], lines
    assert "language not allowed: in language en; this server posts only fr" in lines["6"]
    assert "waiting for a retry at <t:" in lines["7"] and "503" in lines["7"], lines
    view = await feed_command(h, "log", {"subscription": sub.id})
    text = view["initial"]["data"]["embeds"][0]["description"]
    assert text.count("duplicate: same title and link as an item already seen") == 1, text
    assert "(https://discord.com" in text and "[Story number 1" in text  # items are linked

    failed = log_lines(await feed_command(h, "log", {"subscription": failing.id}))
    assert "failed: gave up after 1" in failed["1"] and "503" in failed["1"], failed
    assert "no feed `#999`" in reply_text(await feed_command(h, "log", {"subscription": 999}))


async def _has(store: Any, sub_id: int, status: str) -> bool:
    return bool((await store.delivery_counts(sub_id)).get(status))
