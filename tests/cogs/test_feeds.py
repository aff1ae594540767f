"""Feed subscriptions end to end: the real bot, the Discord emulator, feeds on loopback."""

from __future__ import annotations

import asyncio
import html
from typing import Any

import pytest

from tests.discord_adapter.conftest import Harness
from tests.fakediscord.server import ControlError
from tests.feeds.feedserver import FeedServer, LiveFeed

MANAGE_CHANNELS = 1 << 4
SEND_MESSAGES = 1 << 11


def story_page(n: int) -> bytes:
    """A real-looking article page for item n of a LiveFeed."""
    paragraphs = [
        f"The harbour council met on day {n} to decide the future of the old fish market "
        "in Saint-Malo, after months of public debate about the building.",
        "Mayor Claire Martin said the council would restore the market hall and open it "
        "to local producers next spring, with a budget of 2.5 million euros.",
        "Opponents from the Green Party argued that the money should go to flood "
        "defences along the quay, which were damaged by storms last winter.",
        "The decision will be reviewed by the regional prefecture in Rennes before "
        "work can start, the council's spokesman told reporters on Tuesday.",
    ]
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        f"<html lang='en'><head><title>Harbour story {n}</title>"
        f"<meta property='og:site_name' content='Harbour Gazette'></head><body>"
        f"<article><h1>Harbour story {n}</h1>{body}</article></body></html>"
    ).encode()


def live_feed(server: FeedServer, path: str = "/feed.xml", items: int = 3) -> LiveFeed:
    feed = server.feed(path)
    add_items(server, feed, items)
    return feed


def add_items(server: FeedServer, feed: LiveFeed, count: int) -> None:
    for entry in feed.add(count, link_base=server.url("")):
        server.file(f"/story/{entry.n}", story_page(entry.n), "text/html; charset=utf-8")


async def feed_command(h: Harness, sub: str, options: dict[str, Any], **kw: Any) -> dict[str, Any]:
    inter = await h.fake.fire_slash_command(f"feed {sub}", options, channel_id=h.channel, **kw)
    return await h.fake.wait_for_reply(inter["id"], timeout=20)


def reply_text(view: dict[str, Any]) -> str:
    if view["initial"] and view["initial"]["type"] == 4:
        return str(view["initial"]["data"].get("content"))
    return str(view["followups"][-1]["content"])


async def posts(h: Harness, channel: int, count: int, timeout: float = 20) -> list[dict]:
    """Wait for `count` summary posts (messages with an embed) in the channel."""
    for _ in range(int(timeout * 10)):
        found = [m for m in h.fake.channel_messages(channel) if m.get("embeds")]
        if len(found) >= count:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"expected {count} posts in {channel}: {h.fake.channel_messages(channel)}")


@pytest.fixture
def bot_overrides() -> dict[str, Any]:
    # the tests poll explicitly; failed posts are retried after 1 s
    return {"feed_poll_interval": 3600, "feed_retry_seconds": 1}


async def test_add_posts_the_newest_then_every_new_item_once(
    harness: Harness, feeds: FeedServer
) -> None:
    feed = live_feed(feeds, items=3)
    news = int(harness.guild["channels"]["news"])
    view = await feed_command(harness, "add", {"url": feeds.url("/feed.xml"), "channel": news})
    text = reply_text(view)
    assert "Loopback News" in text and "3 items" in text, text
    first = await posts(harness, news, 1)
    assert len(first) == 1, harness.fake.channel_messages(news)
    embed = first[0]["embeds"][0]
    assert embed["title"] == "Harbour story 3"
    assert embed["url"] == feeds.url("/story/3")
    assert "via Loopback News" in embed["footer"]["text"]
    assert "Claire Martin" in embed["fields"][0]["value"]

    add_items(feeds, feed, 2)
    sub = (await harness.bot.store.list_subscriptions(channel_id=news))[0]
    await harness.bot.feeds.poll_now(sub.feed_id)
    await posts(harness, news, 3)
    await asyncio.sleep(0.5)
    messages = harness.fake.channel_messages(news)
    assert [m["embeds"][0]["title"] for m in messages] == [
        "Harbour story 3", "Harbour story 4", "Harbour story 5"]  # fmt: skip
    # polling again finds nothing new: no repost (the server answers 304)
    await harness.bot.feeds.poll_now(sub.feed_id)
    await asyncio.sleep(0.5)
    assert len(harness.fake.channel_messages(news)) == 3
    assert feed.fetch_headers[-1].get("If-None-Match")


async def test_two_channels_on_one_feed_one_fetch_two_posts(
    harness: Harness, feeds: FeedServer
) -> None:
    feed = live_feed(feeds, items=1)
    channels = [int(harness.guild["channels"][n]) for n in ("general", "news")]
    for channel in channels:
        await feed_command(harness, "add", {"url": feeds.url("/feed.xml"), "channel": channel})
    for channel in channels:
        await posts(harness, channel, 1)
    add_items(feeds, feed, 1)
    before = feed.fetches
    sub = (await harness.bot.store.list_subscriptions(channel_id=channels[0]))[0]
    await harness.bot.feeds.poll_now(sub.feed_id)
    for channel in channels:
        titles = [m["embeds"][0]["title"] for m in await posts(harness, channel, 2)]
        assert titles == ["Harbour story 1", "Harbour story 2"]
    assert feed.fetches == before + 1
    assert feeds.hits["/story/2"] == 1  # summarized once for both channels


async def test_failing_feed_is_announced_once_and_so_is_recovery(
    harness: Harness, feeds: FeedServer
) -> None:
    feed = live_feed(feeds, items=1)
    news = int(harness.guild["channels"]["news"])
    await feed_command(harness, "add", {"url": feeds.url("/feed.xml"), "channel": news})
    await posts(harness, news, 1)
    sub = (await harness.bot.store.list_subscriptions(channel_id=news))[0]
    feed.status = 500
    for _ in range(5):
        await harness.bot.feeds.poll_now(sub.feed_id)
    await harness.fake.wait_for_messages(news, 2)
    await asyncio.sleep(0.5)
    notices = [m["content"] for m in harness.fake.channel_messages(news) if not m.get("embeds")]
    assert len(notices) == 1 and "500" in notices[0], notices
    listing = reply_text(await feed_command(harness, "list", {}))
    assert "failing since" in listing
    feed.status = 200
    await harness.bot.feeds.poll_now(sub.feed_id)
    await harness.fake.wait_for_messages(news, 3)
    notices = [m["content"] for m in harness.fake.channel_messages(news) if not m.get("embeds")]
    assert len(notices) == 2 and "recover" in notices[1].lower() or "back" in notices[1].lower()


async def test_discord_errors_during_delivery_deliver_exactly_once(
    harness: Harness, feeds: FeedServer
) -> None:
    live_feed(feeds, items=1)
    news = int(harness.guild["channels"]["news"])
    harness.fake.inject_fault("POST", rf"^/channels/{news}/messages", kind="status", status=503)
    harness.fake.inject_fault("POST", rf"^/channels/{news}/messages", kind="ratelimit",
                              retry_after=0.5)  # fmt: skip
    await feed_command(harness, "add", {"url": feeds.url("/feed.xml"), "channel": news})
    await posts(harness, news, 1)
    await asyncio.sleep(2)
    assert len(harness.fake.channel_messages(news)) == 1
    statuses = [r["status"] for r in harness.fake.requests("POST", rf"^/channels/{news}/messages")]
    assert 503 in statuses and 429 in statuses and statuses[-1] == 200


async def test_deleted_channel_pauses_and_tells_the_server(
    harness: Harness, feeds: FeedServer
) -> None:
    feed = live_feed(feeds, items=1)
    news = int(harness.guild["channels"]["news"])
    await feed_command(harness, "add", {"url": feeds.url("/feed.xml"), "channel": news})
    await posts(harness, news, 1)
    await harness.fake.delete_channel(news)
    add_items(feeds, feed, 1)
    first = (await harness.bot.store.list_subscriptions(channel_id=news))[0]
    await harness.bot.feeds.poll_now(first.feed_id)
    sub = None
    for _ in range(100):
        sub = await harness.bot.store.get_subscription(first.id)
        if sub and sub.paused:
            break
        await asyncio.sleep(0.1)
    assert sub is not None and sub.paused
    # #general already holds the public answer to /feed add: wait for the notice after it
    general = await harness.fake.wait_for_messages(harness.channel, 2, timeout=20)
    assert "paused" in general[-1]["content"].lower()


async def test_feed_commands_need_manage_channels(harness: Harness, feeds: FeedServer) -> None:
    live_feed(feeds)
    with pytest.raises(ControlError):  # Discord hides the command from such members
        await harness.fake.fire_slash_command(
            "feed add", {"url": feeds.url("/feed.xml")}, channel_id=harness.channel,
            member_permissions=SEND_MESSAGES)  # fmt: skip
    # ...and if an admin re-opens it to everyone, the bot still checks the permission
    view = await feed_command(harness, "add", {"url": feeds.url("/feed.xml")},
                              member_permissions=SEND_MESSAGES, require_synced=False)  # fmt: skip
    assert "manage channels" in reply_text(view).lower()
    assert view["ephemeral"]
    assert await harness.bot.store.list_subscriptions(guild_id=int(harness.guild["id"])) == []


async def test_list_pause_resume_remove_and_test(harness: Harness, feeds: FeedServer) -> None:
    live_feed(feeds, items=2)
    await feed_command(harness, "add", {"url": feeds.url("/feed.xml"), "sentences": 2})
    await posts(harness, harness.channel, 1)
    sub = (await harness.bot.store.list_subscriptions(channel_id=harness.channel))[0]
    assert "healthy" in reply_text(await feed_command(harness, "list", {}))
    assert "Paused" in reply_text(await feed_command(harness, "pause", {"subscription": sub.id}))
    assert "paused" in reply_text(await feed_command(harness, "list", {}))
    assert "Resumed" in reply_text(await feed_command(harness, "resume", {"subscription": sub.id}))
    preview = await feed_command(harness, "test", {"subscription": sub.id})
    assert preview["ephemeral"]
    embed = preview["followups"][-1]["embeds"][0]
    assert embed["title"] == "Harbour story 2" and len(embed["description"].split("\n")) == 2
    removed = reply_text(await feed_command(harness, "remove", {"subscription": sub.id}))
    assert "No longer following" in removed
    assert await harness.bot.store.list_subscriptions(channel_id=harness.channel) == []
    missing = reply_text(await feed_command(harness, "remove", {"subscription": 999}))
    assert "no feed" in missing.lower()


async def test_adding_a_site_finds_its_feed_and_bad_urls_are_explained(
    harness: Harness, feeds: FeedServer
) -> None:
    live_feed(feeds, items=2)
    site = (
        '<html><head><title>Harbour Gazette</title><link rel="alternate" '
        'type="application/rss+xml" href="/feed.xml"></head><body>Hi</body></html>'
    )
    feeds.file("/", site.encode(), "text/html")
    text = reply_text(await feed_command(harness, "add", {"url": feeds.url("/")}))
    assert "Loopback News" in text
    bad = reply_text(await feed_command(harness, "add", {"url": feeds.url("/nothing-here")}))
    assert "can't follow" in bad and "404" in bad
