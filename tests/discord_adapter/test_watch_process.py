"""A watch fires once per item across real restarts: the bot process is killed while
Discord is creating the post, then while it is creating the watch's notice; after each
restart every item has exactly one notice (the post is found again by its nonce before
the hit is recorded; the notice is sent again with its (watch, item) nonce)."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from tests.cogs.test_feeds import add_items, live_feed
from tests.discord_adapter.conftest import process_env, start_process
from tests.discord_adapter.test_feeds_process import summary_posts, wait_for
from tests.fakediscord import FakeDiscord
from tests.feeds.feedserver import FeedServer


async def _killed(bot: asyncio.subprocess.Process) -> None:
    if bot.returncode is None:
        bot.send_signal(signal.SIGKILL)
        await bot.wait()


async def test_watch_fires_once_per_item_across_kills(tmp_path: Path, feeds: FeedServer) -> None:
    feed = live_feed(feeds, items=1)
    async with FakeDiscord(heartbeat_interval=1.0) as fake:
        guild = await fake.create_guild("Newsroom", channels=["general", "news", "alerts"])
        news, alerts = int(guild["channels"]["news"]), int(guild["channels"]["alerts"])
        desk = fake.add_role(int(guild["id"]), "harbour-desk")
        env = process_env(fake, guild["id"], tmp_path, FETCH_ALLOWED_NETWORKS="127.0.0.1/32",
                          FEED_POLL_INTERVAL="1", FEED_RETRY_SECONDS="1")  # fmt: skip
        notices = lambda: fake.channel_messages(alerts)  # noqa: E731
        bot = await start_process(env, tmp_path)
        try:
            synced = lambda: any(c["name"] == "watch" for c in fake.synced_commands(guild["id"]))  # noqa: E731
            await wait_for(synced, 60, "commands")
            assert await fake.wait_until_connected(timeout=30), "the bot never connected"
            for name, options in (
                ("watch add", {"entity": "Martin", "channel": alerts, "role": desk}),
                ("feed add", {"url": feeds.url("/feed.xml"), "channel": news}),
            ):
                inter = await fake.fire_slash_command(name, options, channel_id=news)
                await fake.wait_for_reply(inter["id"], timeout=30)
            await wait_for(lambda: len(notices()) == 1, 30, "the first notice")

            # Discord creates the post of story 2 but answers late; the bot dies meanwhile.
            fake.inject_fault("POST", rf"^/channels/{news}/messages", kind="slow_response",
                              hang_seconds=120)  # fmt: skip
            add_items(feeds, feed, 1)
            await wait_for(lambda: len(summary_posts(fake, news)) == 2, 30, "the second post")
        finally:
            await _killed(bot)

        bot = await start_process(env, tmp_path)
        try:
            await wait_for(lambda: len(notices()) >= 2, 60, "story 2's notice")
            # Now Discord creates story 3's notice but answers late; the bot dies again.
            fake.inject_fault("POST", rf"^/channels/{alerts}/messages", kind="slow_response",
                              hang_seconds=120)  # fmt: skip
            add_items(feeds, feed, 1)
            await wait_for(lambda: len(notices()) >= 3, 30, "story 3's notice")
        finally:
            await _killed(bot)

        bot = await start_process(env, tmp_path)
        try:
            await wait_for(
                lambda: len(fake.requests("POST", rf"^/channels/{alerts}/messages")) >= 4,
                60, "story 3's notice sent again",
            )  # fmt: skip
            await asyncio.sleep(3)  # time for any duplicate to show up
        finally:
            bot.send_signal(signal.SIGTERM)
            await asyncio.wait_for(bot.wait(), 15)
        assert [m["embeds"][0]["title"] for m in summary_posts(fake, news)] == [
            "Harbour story 1", "Harbour story 2", "Harbour story 3"]  # fmt: skip
        texts = [m["content"] for m in notices()]
        assert len(texts) == 3, texts
        for n, text in enumerate(texts, 1):
            assert text.startswith(f"\U0001f514 <@&{desk}> **Claire Martin** (person)"), text
            assert f"[Harbour story {n}](https://discord.com/channels/" in text, text
        assert all(m["mention_roles"] == [str(desk)] for m in notices())
        # story 2's post was asked for again after the first kill (the same message, by its
        # nonce) and story 3's notice after the second: each still shows once
        assert len(fake.requests("POST", rf"^/channels/{news}/messages")) >= 4
        assert bot.returncode == 0
