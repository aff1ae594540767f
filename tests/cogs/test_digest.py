"""`/digest` end to end in the real bot (in the test's process) against the Discord
emulator: what it refuses and how it says so, list, preview (private), remove, and the help.
(Posting on schedule, across restarts and DST: tests/discord_adapter/test_digest_process.py.)"""

from __future__ import annotations

from typing import Any

import pytest

from bot.discord_adapter.client import install_test_clock
from bot.feeds import schema
from bot.feeds.schedule import FORMS
from tests.cogs.test_feeds import live_feed, posts, reply_text
from tests.discord_adapter.conftest import Harness
from tests.feeds.feedserver import FeedServer


@pytest.fixture
def bot_overrides() -> dict[str, Any]:
    return {"feed_poll_interval": 3600, "feed_retry_seconds": 1}


async def command(h: Harness, name: str, options: dict[str, Any]) -> dict[str, Any]:
    inter = await h.fake.fire_slash_command(name, options, channel_id=h.channel)
    return await h.fake.wait_for_reply(inter["id"], timeout=60)


async def test_digest_commands_check_list_preview_and_remove(
    harness: Harness, feeds: FeedServer
) -> None:
    news = int(harness.guild["channels"]["news"])
    add = {"channel": news, "schedule": "daily 08:00", "timezone": "Europe/Paris"}
    view = await command(harness, "digest add", {**add, "schedule": "at dawn"})
    assert view["ephemeral"] and FORMS in reply_text(view)
    view = await command(harness, "digest add", {**add, "timezone": "Mars/Olympus"})
    assert "`Mars/Olympus` is not an IANA time zone name" in reply_text(view)
    view = await command(harness, "digest add", {**add, "feeds": "Nowhere News"})
    assert "follows no feed yet" in reply_text(view)

    live_feed(feeds, items=2)
    view = await command(harness, "feed add", {"url": feeds.url("/feed.xml"), "channel": news})
    await posts(harness, news, 1, timeout=60)
    view = await command(harness, "digest add", {**add, "schedule": " Weekly MON 9:05 ",
                                                 "feeds": "Loopback News"})  # fmt: skip
    said = reply_text(view)
    assert not view["ephemeral"] and "Digest `#1` added" in said, said
    assert "**weekly mon 09:05** (Europe/Paris), 1 feed(s), up to 15 stories" in said

    listed = await command(harness, "digest list", {})
    assert listed["ephemeral"] and "`#1` <#" in reply_text(listed)

    preview = await command(harness, "digest preview", {"digest": 1})
    assert preview["ephemeral"]
    [page] = [f for f in preview["followups"] if f.get("embeds")]
    assert page["flags"] & 64  # ephemeral
    embed = page["embeds"][0]
    assert embed["title"].startswith("Digest · ")
    assert "Harbour story 2" in embed["description"] and "Loopback News" in embed["description"]
    assert len([m for m in harness.fake.channel_messages(news) if m.get("embeds")]) == 1

    gone = await command(harness, "digest remove", {"digest": 1})
    assert "Digest `#1` (weekly mon 09:05" in reply_text(gone)
    assert "No digest yet" in reply_text(await command(harness, "digest list", {}))
    missing = await command(harness, "digest preview", {"digest": 1})
    assert "no such digest" in reply_text(missing)


async def test_help_lists_digest_within_one_message(harness: Harness) -> None:
    view = await command(harness, "precis help", {})
    text = reply_text(view)
    assert "/digest add" in text and "/digest list|remove|preview" in text
    assert len(text) <= 2000


def test_the_test_clock_is_refused_unless_discord_is_on_loopback(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = tmp_path / "clock"
    clock.write_text("86400")
    monkeypatch.setenv("PRECIS_TEST_CLOCK_FILE", str(clock))
    try:
        install_test_clock("https://discord.com/api/v10")
        assert abs((schema.utcnow() - schema.dt.datetime.now(schema.dt.UTC)).total_seconds()) < 5
        install_test_clock("http://127.0.0.1:5000/api/v10")
        ahead = (schema.utcnow() - schema.dt.datetime.now(schema.dt.UTC)).total_seconds()
        assert 86300 < ahead < 86500
    finally:
        schema.use_test_clock(None)
    assert abs((schema.utcnow() - schema.dt.datetime.now(schema.dt.UTC)).total_seconds()) < 5
