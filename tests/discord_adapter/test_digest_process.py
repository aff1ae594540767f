"""Digests end to end: the real bot process (`python -m bot run`) against the Discord
emulator, feeds and article pages on loopback, and a clock the test moves
(PRECIS_TEST_CLOCK_FILE, honoured only for a bot pointed at a loopback Discord).

- one digest per period across a restart between periods and a DST change (Paris,
  spring forward: the period ending Sunday 08:00 CEST is 23 hours long);
- a bot killed while Discord withholds the answer to a digest message: no second digest;
- a digest that needs three messages, split between whole stories within Discord's limits.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import random
import signal
import time
from pathlib import Path
from typing import Any

from tests.cogs.test_feeds import reply_text
from tests.discord_adapter.conftest import process_env, start_process
from tests.discord_adapter.test_feeds_process import wait_for
from tests.fakediscord import FakeDiscord
from tests.feeds.feedserver import FeedServer, LiveFeed

UTC = dt.UTC
SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "ta", "vi", "so", "pe", "di", "go", "ba", "ze", "fu")


def _word(rng: random.Random, capital: bool = False) -> str:
    word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(3, 4)))
    return word.capitalize() if capital else word


def article(n: int, sentences: int = 4) -> tuple[str, list[str]]:
    """Story n: a title and sentences whose words no other story shares (so the grouping
    keeps each story apart), about 330 characters each."""
    rng = random.Random(n * 7919)
    names = [f"{_word(rng, True)} {_word(rng, True)}" for _ in range(3)]
    lines = []
    for k in range(sentences):
        words = " ".join(_word(rng) for _ in range(17))
        more = " ".join(_word(rng) for _ in range(15))
        lines.append(
            f"The {words} of {names[k % 3]} said on Monday that the {more} would open "
            f"in {names[(k + 1) % 3]} before the end of the year, after {20 + k} months of work."
        )
    return f"{names[0]} and the {_word(rng)} {_word(rng)} of {names[1]}", lines


def add_stories(server: FeedServer, feed: LiveFeed, numbers: list[int]) -> None:
    """New items in the feed, each with an article page of its own on loopback."""
    for n in numbers:
        [entry] = feed.add(1, link_base=server.url(""))
        title, lines = article(n)
        entry.title, entry.description = title, f"<p>{html.escape(lines[0])}</p>"
        body = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
        head = f"<html lang='en'><head><title>{html.escape(title)}</title></head>"
        page = f"{head}<body><article><h1>{html.escape(title)}</h1>{body}</article></body></html>"
        server.file(f"/story/{entry.n}", page.encode(), "text/html; charset=utf-8")


class Clock:
    """The bot's clock: the real time plus the seconds in a file the bot reads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.path.write_text("0")

    def set(self, when: dt.datetime) -> None:
        self.path.write_text(f"{(when - dt.datetime.now(UTC)).total_seconds():.3f}")
        time.sleep(0.01)  # a new mtime even on a coarse clock


class Bot:
    """The bot process and what the tests do with it."""

    def __init__(self, fake: FakeDiscord, guild: dict[str, Any], tmp_path: Path,
                 feeds: FeedServer) -> None:  # fmt: skip
        self.fake, self.guild, self.tmp_path, self.feeds = fake, guild, tmp_path, feeds
        self.clock = Clock(tmp_path / "clock")
        self.env = process_env(
            fake, guild["id"], tmp_path, FETCH_ALLOWED_NETWORKS="127.0.0.1/32",
            FEED_POLL_INTERVAL="1", FEED_RETRY_SECONDS="1", FEED_MAX_ITEMS_PER_POLL="20",
            PRECIS_TEST_CLOCK_FILE=str(self.clock.path),
        )  # fmt: skip
        self.process: asyncio.subprocess.Process | None = None

    def channel(self, name: str) -> int:
        return int(self.guild["channels"][name])

    async def start(self) -> None:
        self.process = await start_process(self.env, self.tmp_path)
        synced = lambda: any(c["name"] == "digest"  # noqa: E731
                             for c in self.fake.synced_commands(self.guild["id"]))  # fmt: skip
        await wait_for(synced, 90, "commands")
        assert await self.fake.wait_until_connected(timeout=60), self.log()

    def log(self) -> str:
        return (self.tmp_path / "bot.log").read_text(errors="replace")

    async def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(sig)
            await asyncio.wait_for(self.process.wait(), 30)

    async def command(self, name: str, options: dict[str, Any]) -> str:
        """The reply's text, or its embeds' descriptions."""
        inter = await self.fake.fire_slash_command(name, options,
                                                   channel_id=self.channel("general"))  # fmt: skip
        view = await self.fake.wait_for_reply(inter["id"], timeout=60)
        data = (view["initial"] or {}).get("data") or {}
        if data.get("embeds"):
            return "\n".join(e.get("description", "") for e in data["embeds"])
        return reply_text(view)

    def digests(self, channel: str = "digest") -> list[dict[str, Any]]:
        return [m for m in self.fake.channel_messages(self.channel(channel)) if m.get("embeds")
                and " stories · " in m["embeds"][-1].get("footer", {}).get("text", "")]  # fmt: skip

    def posts(self) -> list[dict[str, Any]]:
        """The per-item posts in #news (a digest there is not one)."""
        return [m for m in self.fake.channel_messages(self.channel("news"))
                if m.get("embeds") and m not in self.digests("news")]  # fmt: skip


def _text(message: dict[str, Any]) -> str:
    return "\n".join(e.get("description", "") for e in message["embeds"])


async def _setup(bot: Bot, *, mode: str, sentences: int = 1, where: str = "digest") -> None:
    """A digest (daily 08:00, Paris) in `where`, then the feed followed in #news."""
    said = await bot.command("digest add", {
        "channel": bot.channel(where), "schedule": "daily 08:00",
        "timezone": "Europe/Paris", "mode": mode, "sentences": sentences, "max_items": 20,
    })  # fmt: skip
    assert "Digest `#1` added" in said and "daily 08:00" in said, said
    feed_url = bot.feeds.url("/feed.xml")
    said = await bot.command("feed add", {"url": feed_url, "channel": bot.channel("news")})
    assert "Loopback News" in said, said


async def test_one_digest_per_period_across_a_restart_and_a_dst_change(
    tmp_path: Path, feeds: FeedServer
) -> None:
    feed = feeds.feed("/feed.xml")
    add_stories(feeds, feed, [1])
    async with FakeDiscord(heartbeat_interval=1.0) as fake:
        guild = await fake.create_guild("Newsroom", channels=["general", "news", "digest"])
        bot = Bot(fake, guild, tmp_path, feeds)
        # Saturday 27 March 2027, 07:58 in Paris (CET): summer time starts tomorrow.
        bot.clock.set(dt.datetime(2027, 3, 27, 6, 58, tzinfo=UTC))
        await bot.start()
        try:
            await _setup(bot, mode="on top")
            await wait_for(lambda: len(bot.posts()) == 1, 60, "the newest item's post")
            add_stories(feeds, feed, [2, 3])
            await wait_for(lambda: len(bot.posts()) == 3, 60, "the new items' posts")
            assert bot.digests() == []
            bot.clock.set(dt.datetime(2027, 3, 27, 7, 0, 20, tzinfo=UTC))  # 08:00:20 CET
            await wait_for(lambda: len(bot.digests()) == 1, 60, "Saturday's digest")
            add_stories(feeds, feed, [4])
            await wait_for(lambda: len(bot.posts()) == 4, 60, "a post after the digest")
        finally:
            await bot.kill()  # down between the two periods, over the DST change
        [saturday] = bot.digests()
        assert saturday["embeds"][0]["title"] == "Digest · Sat 27 Mar 2027 08:00 CET"
        text = _text(saturday)
        assert all(article(n)[0] in text for n in (1, 2, 3)) and article(4)[0] not in text

        # Sunday 08:00:20 CEST is 06:00:20 UTC: 23 hours after Saturday's, not 24.
        bot.clock.set(dt.datetime(2027, 3, 28, 6, 0, 20, tzinfo=UTC))
        await bot.start()
        try:
            await wait_for(lambda: len(bot.digests()) == 2, 60, "Sunday's digest, on start")
            # An hour later (where 24 hours of arithmetic would put it): nothing more.
            bot.clock.set(dt.datetime(2027, 3, 28, 7, 0, 20, tzinfo=UTC))
            await asyncio.sleep(8)  # the digest loop looks at least every 5 s
        finally:
            await bot.kill(signal.SIGTERM)
        saturday, sunday = bot.digests()
        assert sunday["embeds"][0]["title"] == "Digest · Sun 28 Mar 2027 08:00 CEST"
        assert article(4)[0] in _text(sunday) and article(1)[0] not in _text(sunday)
        assert len(bot.posts()) == 4  # "on top": every item was posted too
        assert "test clock on" in bot.log()


async def test_killed_while_discord_withholds_the_answer_no_second_digest(
    tmp_path: Path, feeds: FeedServer
) -> None:
    feed = feeds.feed("/feed.xml")
    add_stories(feeds, feed, [1])
    async with FakeDiscord(heartbeat_interval=1.0) as fake:
        guild = await fake.create_guild("Newsroom", channels=["general", "news", "digest"])
        bot = Bot(fake, guild, tmp_path, feeds)
        bot.clock.set(dt.datetime(2027, 6, 1, 5, 58, tzinfo=UTC))  # 07:58 CEST
        digest_path = rf"^/channels/{bot.channel('news')}/messages$"
        await bot.start()
        try:
            await _setup(bot, mode="digest only", where="news")  # instead of its posts
            add_stories(feeds, feed, [2])
            log = await bot.command("feed log", {"subscription": 1})
            for _ in range(60):  # both items seen, kept for the digest
                if log.count("in digest") >= 2:
                    break
                await asyncio.sleep(1)
                log = await bot.command("feed log", {"subscription": 1})
            assert log.count("in digest: kept for the channel's digest (daily 08:00)") == 2, log
            # Discord creates the digest but answers late; the bot dies meanwhile.
            fake.inject_fault("POST", digest_path, kind="slow_response", hang_seconds=120)
            bot.clock.set(dt.datetime(2027, 6, 1, 6, 0, 20, tzinfo=UTC))
            await wait_for(lambda: len(bot.digests("news")) == 1, 60, "the digest, unanswered")
        finally:
            await bot.kill()
        await bot.start()
        try:  # the restarted bot sends it again, with the same nonce: the same message
            await wait_for(lambda: len(fake.requests("POST", digest_path)) >= 2, 60,
                           "the digest sent again")  # fmt: skip
            await asyncio.sleep(3)  # time for any duplicate to show up
        finally:
            await bot.kill(signal.SIGTERM)
        [digest] = bot.digests("news")
        assert all(article(n)[0] in _text(digest) for n in (1, 2))
        assert bot.posts() == []  # digest only: nothing posted item by item
        assert digest.get("nonce") and len(digest["nonce"]) == 25  # sent with its nonce


async def test_a_digest_of_three_messages_is_split_between_whole_stories(
    tmp_path: Path, feeds: FeedServer
) -> None:
    feed = feeds.feed("/feed.xml")
    add_stories(feeds, feed, [1])
    async with FakeDiscord(heartbeat_interval=1.0) as fake:
        guild = await fake.create_guild("Newsroom", channels=["general", "news", "digest"])
        bot = Bot(fake, guild, tmp_path, feeds)
        bot.clock.set(dt.datetime(2027, 1, 12, 6, 58, tzinfo=UTC))  # 07:58 CET
        await bot.start()
        try:
            await _setup(bot, mode="on top", sentences=3)
            await wait_for(lambda: len(bot.posts()) == 1, 60, "the first post")
            add_stories(feeds, feed, list(range(2, 11)))
            await wait_for(lambda: len(bot.posts()) == 10, 120, "ten posts")
            said = await bot.command("digest list", {})
            assert "`#1`" in said and "daily 08:00" in said and "Europe/Paris" in said, said
            bot.clock.set(dt.datetime(2027, 1, 12, 7, 0, 20, tzinfo=UTC))
            await wait_for(lambda: len(bot.digests()) >= 3, 120, "a digest in three messages")
            await asyncio.sleep(2)
        finally:
            await bot.kill(signal.SIGTERM)
        messages = bot.digests()
        assert len(messages) == 3, [len(_text(m)) for m in messages]
        for message in messages:
            assert len(message["embeds"]) <= 10
            total = sum(
                len(e.get("description", "")) + len(e.get("title", ""))
                + len(e.get("footer", {}).get("text", "")) for e in message["embeds"]
            )  # fmt: skip
            assert total <= 6000 and all(len(e["description"]) <= 4096 for e in message["embeds"])
        assert [m["embeds"][-1]["footer"]["text"][:11] for m in messages] == [
            "Part 1 of 3", "Part 2 of 3", "Part 3 of 3"]  # fmt: skip
        # Each story once, whole: its title and its three sentences together, in one embed.
        embeds = [e["description"] for m in messages for e in m["embeds"]]
        for n in range(1, 11):
            title, lines = article(n)
            holding = [d for d in embeds if title in d]
            assert len(holding) == 1, title
            assert sum(line in holding[0] for line in lines) == 3
