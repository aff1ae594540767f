"""`/feed import` and `/feed export` end to end: the real bot, the emulator, feeds on loopback."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.feeds.opml import parse_opml
from tests.cogs.test_feeds import feed_command, live_feed, posts, reply_text
from tests.cogs.test_summarize import error_text
from tests.discord_adapter.conftest import Harness
from tests.feeds.feedserver import FeedServer
from tests.feeds.test_opml import BILLION_LAUGHS, EXTERNAL_ENTITY, many_outlines


@pytest.fixture
def bot_overrides() -> dict[str, Any]:
    # The feeds here serve the same article (tests/cogs/test_feeds.story_page): one story,
    # which same-story grouping would rightly post once. These tests count posts per feed.
    return {"feed_poll_interval": 3600, "feed_retry_seconds": 1, "story_window_hours": 0}


def nested_opml(feeds: FeedServer) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>Exported from another reader</title></head><body>
  <outline text="Local">
    <outline type="rss" text="Alpha" xmlUrl="{feeds.url('/alpha.xml')}"/>
    <outline text="Nested folder">
      <outline type="rss" text="Beta" xmlUrl="{feeds.url('/beta.xml')}"/>
      <outline type="rss" text="Gone" xmlUrl="{feeds.url('/gone.xml')}"/>
    </outline>
  </outline>
  <outline type="rss" text="Followed" xmlUrl="{feeds.url('/followed.xml')}"/>
  <outline type="rss" text="Old FTP" xmlUrl="ftp://files.example.com/feed.xml"/>
</body></opml>""".encode()


async def import_file(h: Harness, channel: int, name: str, data: bytes) -> dict[str, Any]:
    inter = await h.fake.fire_slash_command(
        "feed import", {"channel": channel}, channel_id=h.channel,
        attachments={"file": (name, data)},
    )  # fmt: skip
    return await h.fake.wait_for_reply(inter["id"], timeout=30)


async def test_import_subscribes_nested_feeds_and_reports_each(
    harness: Harness, feeds: FeedServer
) -> None:
    for path, count in (("/alpha.xml", 3), ("/beta.xml", 2), ("/followed.xml", 1)):
        feed = live_feed(feeds, path, items=count)
        feed.title = path.strip("/").split(".")[0].title() + " News"
    news = int(harness.guild["channels"]["news"])
    await feed_command(harness, "add", {"url": feeds.url("/followed.xml"), "channel": news})
    await posts(harness, news, 1)

    view = await import_file(harness, news, "subscriptions.opml", nested_opml(feeds))
    assert view["ephemeral"] and len(view["followups"]) == 1
    report = reply_text(view)
    assert "**2 added**, 1 already followed, 2 failed" in report, report
    assert "Alpha News" in report and "Beta News" in report and "Followed" in report
    assert "**Gone** failed" in report and "404" in report
    assert "**Old FTP** failed: not an http(s) link" in report
    subs = await harness.bot.store.list_subscriptions(channel_id=news)
    assert sorted(s.feed_title for s in subs) == ["Alpha News", "Beta News", "Followed News"]
    # no flood: each new feed posts only its newest item, like /feed add
    found = await posts(harness, news, 3)
    await asyncio.sleep(1.0)
    titles = [m["embeds"][0]["title"] for m in harness.fake.channel_messages(news)]
    assert len(titles) == 3 and len(found) == 3, titles


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("notes.opml", b"these are not the feeds you are looking for", "not XML"),
        ("lol.opml", BILLION_LAUGHS, "DTD or entities"),
        ("xxe.opml", EXTERNAL_ENTITY, "DTD or entities"),
        ("huge.opml", many_outlines(10_000), "10,000 outlines"),
        ("big.opml", b"<opml>" + b" " * (20 * 1024 * 1024) + b"</opml>", "20.0 MB"),
    ],
)
async def test_a_bad_file_gets_one_error_and_changes_nothing(
    harness: Harness, feeds: FeedServer, name: str, data: bytes, expected: str
) -> None:
    live_feed(feeds, "/alpha.xml", items=1)
    view = await import_file(harness, harness.channel, name, data)
    answer = error_text(view)
    assert expected in answer and "Nothing was imported" in answer, answer
    assert len([*view["followups"], view["initial"]]) <= 2  # one answer (after a defer)
    assert await harness.bot.store.list_subscriptions(guild_id=int(harness.guild["id"])) == []
    assert feeds.hits.get("/alpha.xml") is None
    assert harness.fake.channel_messages(harness.channel) == []


async def test_export_then_import_round_trip(harness: Harness, feeds: FeedServer) -> None:
    for path in ("/alpha.xml", "/beta.xml"):
        live_feed(feeds, path, items=1).title = path.strip("/").split(".")[0].title() + " News"
    news = int(harness.guild["channels"]["news"])
    await feed_command(harness, "add", {"url": feeds.url("/alpha.xml"), "channel": news})
    await feed_command(harness, "add", {"url": feeds.url("/beta.xml")})
    inter = await harness.fake.fire_slash_command("feed export", {}, channel_id=harness.channel)
    view = await harness.fake.wait_for_reply(inter["id"], timeout=20)
    assert view["ephemeral"] and "2 feeds in 2 channels" in reply_text(view)
    (attachment,) = view["original"]["attachments"]
    assert attachment["filename"] == "precis-feeds.opml"
    data = harness.fake.attachment_bytes(attachment["id"])
    assert b'text="#news"' in data and b'text="#general"' in data
    assert {f.url for f in parse_opml(data)} == {feeds.url("/alpha.xml"), feeds.url("/beta.xml")}

    # read back into #news: alpha is already there, beta is added
    report = reply_text(await import_file(harness, news, "precis-feeds.opml", data))
    assert "**1 added**, 1 already followed, 0 failed" in report, report
    subs = await harness.bot.store.list_subscriptions(channel_id=news)
    assert sorted(s.feed_title for s in subs) == ["Alpha News", "Beta News"]


async def test_help_lists_the_new_commands(harness: Harness) -> None:
    inter = await harness.fake.fire_slash_command("precis help", {}, channel_id=harness.channel)
    text = reply_text(await harness.fake.wait_for_reply(inter["id"], timeout=20))
    for command in ("/feed import file:", "/feed export", "/precis settings", "/feed add"):
        assert command in text, text
