"""`/precis settings` end to end: the server's defaults reach `/summarize` and feed posts."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.cogs.test_feeds import add_items, feed_command, live_feed, posts, reply_text
from tests.cogs.test_summarize import error_text, the_embed
from tests.conftest import DATA, SEED
from tests.discord_adapter.conftest import Harness
from tests.feeds.feedserver import FeedServer

MANAGE_GUILD = 1 << 5
SEND_MESSAGES = 1 << 11
FRENCH_PAGE = (DATA / "articles" / "fr_kremlin.html").read_bytes()


@pytest.fixture
def bot_overrides() -> dict[str, Any]:
    return {"feed_poll_interval": 3600, "feed_retry_seconds": 1}


async def settings(h: Harness, options: dict[str, Any], **kw: Any) -> dict[str, Any]:
    inter = await h.fake.fire_slash_command(
        "precis settings", options, channel_id=h.channel, **kw
    )
    return await h.fake.wait_for_reply(inter["id"], timeout=20)


def bullets(embed: dict[str, Any]) -> int:
    return len(embed["description"].split("\n"))


async def test_settings_show_change_and_refuse_bad_values(harness: Harness) -> None:
    view = await settings(harness, {})
    assert view["ephemeral"]
    text = reply_text(view)
    assert "Summary sentences: **3 (Précis default)**" in text
    assert "#2b6cb0 (default)" in text and "Feed post languages: **any**" in text

    view = await settings(harness, {"sentences": 2, "entities": False, "color": "#1F8B4C",
                                    "languages": "fr, EN"})  # fmt: skip
    text = reply_text(view)
    assert "Settings saved" in text and "**2**" in text and "hidden" in text
    assert "#1f8b4c" in text and "**en, fr**" in text

    bad: list[tuple[dict[str, Any], str]] = [
        ({"color": "blue"}, "hex colour"),
        ({"color": "#12345"}, "hex colour"),
        ({"languages": "english"}, "iso 639-1"),
        ({"languages": "fr, xx", "sentences": 5}, "`xx`"),
    ]
    for options, expected in bad:
        answer = error_text(await settings(harness, options))
        assert "nothing changed" in answer.lower() and expected in answer.lower(), answer
    server = await harness.bot.store.get_server_settings(int(harness.guild["id"]))
    assert (server.sentences, server.entities, server.color, server.languages) == (
        2, False, 0x1F8B4C, ("en", "fr"))  # fmt: skip

    # without Manage Server: refused, privately, and nothing changes
    view = await settings(harness, {"sentences": 7}, member_permissions=SEND_MESSAGES)
    assert view["ephemeral"] and "manage server" in reply_text(view).lower()
    reset = await settings(harness, {"color": "default", "languages": "any"},
                           member_permissions=MANAGE_GUILD)  # fmt: skip
    assert "#2b6cb0 (default)" in reply_text(reset) and "**any**" in reply_text(reset)
    server = await harness.bot.store.get_server_settings(int(harness.guild["id"]))
    assert (server.sentences, server.color, server.languages) == (2, None, ())


async def test_summarize_uses_the_server_defaults(harness: Harness) -> None:
    text = SEED.read_text(encoding="utf-8")
    embed = the_embed(await harness.slash({"text": text}))
    assert bullets(embed) == 3 and embed["fields"] and embed["color"] == 0x2B6CB0
    await settings(harness, {"sentences": 2, "entities": False, "color": "#1f8b4c"})
    embed = the_embed(await harness.slash({"text": text}))
    assert bullets(embed) == 2 and "fields" not in embed and embed["color"] == 0x1F8B4C
    # an explicit option wins over the server's default
    assert bullets(the_embed(await harness.slash({"text": text, "sentences": 4}))) == 4


async def test_a_subscription_follows_the_server_default_when_posted(
    harness: Harness, feeds: FeedServer
) -> None:
    feed = live_feed(feeds, items=1)
    news = int(harness.guild["channels"]["news"])
    await feed_command(harness, "add", {"url": feeds.url("/feed.xml"), "channel": news})
    await feed_command(harness, "add", {"url": feeds.url("/feed.xml"), "sentences": 1})
    follows = (await harness.bot.store.list_subscriptions(channel_id=news))[0]
    own = (await harness.bot.store.list_subscriptions(channel_id=harness.channel))[0]
    assert follows.sentences is None and own.sentences == 1  # NULL: follow the server
    assert bullets((await posts(harness, news, 1))[0]["embeds"][0]) == 3
    listing = reply_text(await feed_command(harness, "list", {}))
    assert "3 sentences (server default)" in listing and "1 sentence ·" in listing

    await settings(harness, {"sentences": 2, "color": "#abcdef"})
    add_items(feeds, feed, 1)
    await harness.bot.feeds.poll_now(follows.feed_id)
    latest = (await posts(harness, news, 2))[-1]["embeds"][0]
    assert bullets(latest) == 2 and latest["color"] == 0xABCDEF  # the default as it is now
    mine = await posts(harness, harness.channel, 2)
    assert bullets(mine[-1]["embeds"][0]) == 1  # its own count stays
    assert "2 sentences (server default)" in reply_text(await feed_command(harness, "list", {}))


async def test_items_in_other_languages_are_skipped_and_listed(
    harness: Harness, feeds: FeedServer
) -> None:
    await settings(harness, {"languages": "fr"})
    feed = live_feed(feeds, items=1)  # an English story
    news = int(harness.guild["channels"]["news"])
    await feed_command(harness, "add", {"url": feeds.url("/feed.xml"), "channel": news})
    sub = (await harness.bot.store.list_subscriptions(channel_id=news))[0]
    for _ in range(100):
        if (await harness.bot.store.delivery_counts(sub.id)).get("skipped"):
            break
        await asyncio.sleep(0.1)
    assert await harness.bot.store.delivery_counts(sub.id) == {"skipped": 1}
    assert [m for m in harness.fake.channel_messages(news) if m.get("embeds")] == []
    assert "1 skipped (language)" in reply_text(await feed_command(harness, "list", {}))

    entry = feed.add(1, link_base=feeds.url(""))[0]  # a French story is posted
    feeds.file(f"/story/{entry.n}", FRENCH_PAGE, "text/html; charset=utf-8")
    await harness.bot.feeds.poll_now(sub.feed_id)
    embed = (await posts(harness, news, 1))[0]["embeds"][0]
    assert "French (fr)" in embed["footer"]["text"]
