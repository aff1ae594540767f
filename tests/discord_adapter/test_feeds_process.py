"""Kill the real bot process in the middle of a feed post, restart it: nothing lost, nothing
posted twice (the post is repeated with the same nonce, which Discord dedups)."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Any

from tests.cogs.test_feeds import add_items, live_feed
from tests.discord_adapter.conftest import process_env, start_process
from tests.fakediscord import FakeDiscord
from tests.feeds.feedserver import FeedServer


async def wait_for(predicate: Any, timeout: float, what: str) -> None:
    for _ in range(int(timeout * 10)):
        if predicate():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def summary_posts(fake: FakeDiscord, channel: int) -> list[dict[str, Any]]:
    return [m for m in fake.channel_messages(channel) if m.get("embeds")]


async def test_kill_mid_delivery_and_restart(tmp_path: Path, feeds: FeedServer) -> None:
    feed = live_feed(feeds, items=1)
    async with FakeDiscord(heartbeat_interval=1.0) as fake:
        guild = await fake.create_guild("Newsroom", channels=["general", "news"])
        news = int(guild["channels"]["news"])
        env = process_env(fake, guild["id"], tmp_path, FETCH_ALLOWED_NETWORKS="127.0.0.1/32",
                          FEED_POLL_INTERVAL="1", FEED_RETRY_SECONDS="1")  # fmt: skip
        bot = await start_process(env, tmp_path)
        try:
            synced = lambda: any(c["name"] == "feed" for c in fake.synced_commands(guild["id"]))  # noqa: E731
            await wait_for(synced, 60, "commands")
            # commands are synced before the gateway handshake: interactions need a session
            assert await fake.wait_until_connected(timeout=30), "the bot never connected"
            options = {"url": feeds.url("/feed.xml"), "channel": news}
            inter = await fake.fire_slash_command("feed add", options, channel_id=news)
            await fake.wait_for_reply(inter["id"], timeout=30)
            await wait_for(lambda: len(summary_posts(fake, news)) == 1, 30, "the first post")

            # Discord creates the next message but answers late; the bot dies meanwhile.
            fake.inject_fault("POST", rf"^/channels/{news}/messages", kind="slow_response",
                              hang_seconds=120)  # fmt: skip
            add_items(feeds, feed, 2)
            await wait_for(lambda: len(summary_posts(fake, news)) == 2, 30, "the in-flight post")
            bot.send_signal(signal.SIGKILL)
            await bot.wait()
        finally:
            if bot.returncode is None:
                bot.kill()
                await bot.wait()

        bot = await start_process(env, tmp_path)
        try:
            await wait_for(lambda: len(summary_posts(fake, news)) >= 3, 60, "the rest")
            await asyncio.sleep(3)  # time for any duplicate to show up
        finally:
            bot.send_signal(signal.SIGTERM)
            await asyncio.wait_for(bot.wait(), 15)
        titles = [m["embeds"][0]["title"] for m in summary_posts(fake, news)]
        assert titles == ["Harbour story 1", "Harbour story 2", "Harbour story 3"]
        nonces = [r for r in fake.requests("POST", rf"^/channels/{news}/messages")]
        assert len(nonces) >= 4  # story 2 was sent again after the restart...
        assert bot.returncode == 0  # ...and the second run stopped cleanly
