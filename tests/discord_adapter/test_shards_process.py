"""Shards with the real bot: two `precis run` processes split the gateway (SHARD_COUNT=2,
SHARD_IDS=0 / 1) over one SQLite file; SHARD_COUNT=auto takes Discord's recommendation;
a bad SHARD_IDS stops the process at start with one clear line."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.cogs.test_feeds import add_items, live_feed
from tests.conftest import ROOT, SEED
from tests.discord_adapter.conftest import process_env, start_process
from tests.discord_adapter.test_feeds_process import summary_posts, wait_for
from tests.fakediscord import FakeDiscord
from tests.feeds.feedserver import FeedServer
from tests.helpers.pgserver import _free_port

TEXT = SEED.read_text(encoding="utf-8")


def shard_env(fake: FakeDiscord, tmp_path: Path, **extra: str) -> dict[str, str]:
    # DEV_GUILD_ID empty: commands are synced globally, for the guilds of every shard.
    return process_env(fake, 0, tmp_path, DEV_GUILD_ID="", FETCH_ALLOWED_NETWORKS="127.0.0.1/32",
                       FEED_POLL_INTERVAL="1", **extra)  # fmt: skip


async def start_in(folder: Path, env: dict[str, str]) -> asyncio.subprocess.Process:
    folder.mkdir(exist_ok=True)
    return await start_process(env, folder)


async def stop(*processes: asyncio.subprocess.Process) -> None:
    for process in processes:
        if process.returncode is None:
            process.send_signal(signal.SIGCONT)  # in case a test left it stopped
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            await asyncio.wait_for(process.wait(), 20)
        except TimeoutError:
            process.kill()
            await process.wait()


PRECIS = str(Path(sys.executable).with_name("precis"))


async def readiness(port: str) -> dict[str, Any]:
    """The process's /readyz checks, once it answers 200 (it probes every few seconds)."""
    import aiohttp

    async with aiohttp.ClientSession() as http:
        for _ in range(100):
            async with http.get(f"http://127.0.0.1:{port}/readyz") as reply:
                body = await reply.json()
                if reply.status == 200:
                    return dict(body["checks"])
            await asyncio.sleep(0.2)
    raise AssertionError(f"/readyz never answered 200: {body}")


def callbacks(fake: FakeDiscord, interaction_id: str) -> int:
    """How many initial responses the bot sent for this interaction."""
    return len(fake.requests("POST", rf"^/interactions/{interaction_id}/[^/]+/callback"))


async def summarize_in(fake: FakeDiscord, guild: dict[str, Any]) -> dict[str, Any]:
    channel = guild["channels"]["general"]
    return await fake.fire_slash_command("summarize", {"text": TEXT}, channel_id=channel)


async def test_two_processes_split_the_guilds_and_share_one_sqlite_file(
    tmp_path: Path, feeds: FeedServer
) -> None:
    feed_zero, feed_one = live_feed(feeds, "/zero.xml", 1), live_feed(feeds, "/one.xml", 1)
    async with FakeDiscord(heartbeat_interval=1.0, interaction_deadline=120) as fake:
        zero = await fake.create_guild("Zero", ["general", "news"], shard=(0, 2))
        one = await fake.create_guild("One", ["general", "news"], shard=(1, 2))
        ports = [str(_free_port()), str(_free_port())]
        envs = [shard_env(fake, tmp_path, SHARD_COUNT="2", SHARD_IDS=str(n), WEB_ENABLED="true",
                          WEB_PORT=ports[n]) for n in (0, 1)]  # fmt: skip
        first = await start_in(tmp_path / "a", envs[0])
        second = await start_in(tmp_path / "b", envs[1])
        log_a, log_b = tmp_path / "a" / "bot.log", tmp_path / "b" / "bot.log"
        try:
            await wait_for(lambda: any(c["name"] == "feed" for c in fake.synced_commands()),
                           90, "the global commands")  # fmt: skip
            shards = await fake.wait_for_shards(2, timeout=90)
            assert shards == [[0, 2], [1, 2]], log_a.read_text() + log_b.read_text()

            # The second process is frozen: the first answers its own guild only.
            second.send_signal(signal.SIGSTOP)
            asked_zero, asked_one = await summarize_in(fake, zero), await summarize_in(fake, one)
            assert (asked_zero["shard"], asked_one["shard"]) == ([0, 2], [1, 2])
            view = await fake.wait_for_reply(asked_zero["id"], timeout=60)
            assert "Irak" in view["followups"][0]["embeds"][0]["title"]
            assert not fake.interaction(asked_one["id"])["acknowledged"]
            second.send_signal(signal.SIGCONT)
            view = await fake.wait_for_reply(asked_one["id"], timeout=60)
            assert "Irak" in view["followups"][0]["embeds"][0]["title"]
            assert callbacks(fake, asked_zero["id"]) == callbacks(fake, asked_one["id"]) == 1

            # Feeds: each guild subscribes through its own process (both write the file);
            # the process of shard 0 polls both and posts into both guilds.
            for guild, path in ((zero, "/zero.xml"), (one, "/one.xml")):
                news = guild["channels"]["news"]
                options = {"url": feeds.url(path), "channel": news}
                inter = await fake.fire_slash_command("feed add", options, channel_id=news)
                reply = await fake.wait_for_reply(inter["id"], timeout=60)
                assert "Following" in str(reply), reply
            for _ in range(3):  # new items while both processes take commands
                add_items(feeds, feed_zero, 1)
                add_items(feeds, feed_one, 1)
                await asyncio.gather(summarize_in(fake, zero), summarize_in(fake, one))
            for guild in (zero, one):
                news = int(guild["channels"]["news"])
                await wait_for(lambda n=news: len(summary_posts(fake, n)) >= 4, 90, "posts")
            await asyncio.sleep(3)  # time for a duplicate to show up
            # Both ready; only the first runs the feed poller (the second has no such check).
            for env, polls in zip(envs, (True, False), strict=True):
                checks = await readiness(env["WEB_PORT"])
                assert checks["gateway"]["ok"] and checks["database"]["ok"], checks
                assert ("poller" in checks) is polls, checks
                done = await asyncio.to_thread(subprocess.run, [PRECIS, "health", "--web"],
                                               env=env, capture_output=True, text=True,
                                               timeout=60)  # fmt: skip
                assert (done.returncode, done.stdout) == (0, "ok\n"), done.stderr
        finally:
            await stop(first, second)
        for guild in (zero, one):
            news = int(guild["channels"]["news"])
            titles = [m["embeds"][0]["title"] for m in summary_posts(fake, news)]
            # The newest item when subscribed, then the three that came later, once each.
            # (Sorted: a post enqueued while the one before it is in flight can overtake it,
            # in one process as well — the deliverer's claim does not wait for it.)
            sent = fake.requests("POST", rf"^/channels/{news}/messages")
            assert sorted(titles) == [f"Harbour story {n}" for n in (1, 2, 3, 4)], (titles, sent)
            assert len(fake.requests("POST", rf"^/channels/{news}/messages")) == 4
        for inter in fake.interactions():
            assert inter["replied"] and callbacks(fake, inter["id"]) == 1, inter["name"]
    a, b = log_a.read_text(), log_b.read_text()
    assert first.returncode == 0 and second.returncode == 0, a + b
    assert "gateway: shard(s) 0 of 2" in a and "gateway: shard(s) 1 of 2" in b
    assert "feed poller started" in a and "feed poller started" not in b
    assert "polled and posted by the process that connects shard 0" in b
    assert re.search(r"synced \d+ global commands", a) and "synced by the process" in b
    assert len(fake.requests("PUT", r"^/applications/\d+/commands$")) == 1
    assert "Traceback" not in a + b and "database is locked" not in a + b
    with sqlite3.connect(tmp_path / "precis.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT count(*) FROM subscriptions").fetchone() == (2,)


async def test_shard_count_auto_connects_what_discord_recommends(tmp_path: Path) -> None:
    async with FakeDiscord(heartbeat_interval=1.0, interaction_deadline=60) as fake:
        fake.configure(recommended_shards=2)
        zero = await fake.create_guild("Zero", ["general"], shard=(0, 2))
        one = await fake.create_guild("One", ["general"], shard=(1, 2))
        process = await start_in(tmp_path, shard_env(fake, tmp_path, SHARD_COUNT="auto"))
        try:
            assert await fake.wait_for_shards(2, timeout=90) == [[0, 2], [1, 2]]
            await wait_for(lambda: any(c["name"] == "summarize" for c in fake.synced_commands()),
                           60, "the global commands")  # fmt: skip
            asked = [await summarize_in(fake, zero), await summarize_in(fake, one)]
            for inter in asked:
                assert (await fake.wait_for_reply(inter["id"], timeout=60))["replied"]
                assert callbacks(fake, inter["id"]) == 1
            assert [inter["shard"] for inter in asked] == [[0, 2], [1, 2]]
            log = tmp_path / "bot.log"
            await wait_for(lambda: "shard 1 of 2 ready" in log.read_text(), 30, "shard 1 ready")
        finally:
            await stop(process)
        assert fake.requests("GET", r"^/gateway/bot$")
    logs = (tmp_path / "bot.log").read_text()
    assert process.returncode == 0, logs
    assert "every shard Discord recommends" in logs
    assert "shard 0 of 2 ready: 1 guild(s)" in logs and "shard 1 of 2 ready: 1 guild(s)" in logs


def test_a_bad_shard_id_is_refused_at_start_in_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DISCORD_TOKEN": "never-used-token",
           "SHARD_COUNT": "2", "SHARD_IDS": "0,2"}  # fmt: skip
    done = subprocess.run([sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "precis: error: Invalid settings: SHARD_IDS 2: shards are numbered 0 to 1 "
        "when SHARD_COUNT is 2"
    )
    assert "never-used-token" not in done.stderr + done.stdout
