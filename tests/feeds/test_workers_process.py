"""Real `precis worker` processes sharing one real PostgreSQL database, posting to the
loopback Discord emulator over REST (no gateway), polling loopback feeds.

- Two workers, one SIGKILLed in the middle of posts and restarted: every item is posted
  exactly once and in order, none lost (its claims are taken over when their leases run
  out; the nonce makes a repeated send the same message), and no feed is polled by two
  workers at once.
- Politeness: the per-host limit holds for both workers together, at the feed server.
- Discord's rate limits: a 429 one worker got delays the other's request on that route.
"""

from __future__ import annotations

import asyncio
import ipaddress
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiohttp import web

from bot.feeds.rows import ON_CHANNEL, Placement
from bot.feeds.runtime import FeedsConfig
from bot.feeds.schema import FORUM, PENDING, THREAD, deliveries
from bot.feeds.service import FeedService
from bot.feeds.store import Store
from bot.ingest.fetch import FetchLimits
from tests.cogs.test_feeds import add_items, live_feed, story_page
from tests.discord_adapter.conftest import process_env, start_process
from tests.fakediscord import FakeDiscord
from tests.feeds.conftest import HEAD_TEMPLATE
from tests.feeds.feedserver import FakeSink, FakeSummarizer, FeedServer, LiveFeed
from tests.helpers.pgserver import PgServer, create_database, drop_database

LOOPBACK = FetchLimits(allowed_networks=(ipaddress.ip_network("127.0.0.1/32"),))
Process = asyncio.subprocess.Process


class CountingServer(FeedServer):
    """The feed server, each feed answered after `delay` seconds; counts the feed fetches
    in flight (all, and per feed) and when each feed was fetched."""

    def __init__(self, delay: float = 0.0) -> None:
        super().__init__()
        self.delay = delay
        self.in_flight = 0
        self.peak = 0
        self.per_feed: dict[str, int] = {}
        self.feed_peak = 0
        self.fetched_at: dict[str, list[float]] = {}

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path not in self.feeds:
            return await super()._dispatch(request)
        self.in_flight += 1
        self.per_feed[path] = self.per_feed.get(path, 0) + 1
        self.peak = max(self.peak, self.in_flight)
        self.feed_peak = max(self.feed_peak, self.per_feed[path])
        self.fetched_at.setdefault(path, []).append(time.time())
        try:
            await asyncio.sleep(self.delay)
            return await super()._dispatch(request)
        finally:
            self.in_flight -= 1
            self.per_feed[path] -= 1

    def fetches(self) -> int:
        return sum(len(times) for times in self.fetched_at.values())


@pytest.fixture
async def pg_url(postgres: PgServer) -> AsyncIterator[str]:
    url = await create_database(postgres, template=HEAD_TEMPLATE)
    yield url
    await drop_database(postgres, url)


async def wait_for(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await predicate() if asyncio.iscoroutinefunction(predicate) else predicate():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


async def subscribe(
    url: str, feeds: list[tuple[str, int]], guild_id: int, placement: Placement = ON_CHANNEL
) -> None:
    """`/feed add` for each (feed url, channel), as the gateway process would do it."""
    store = await Store.open(url)
    config = FeedsConfig(poll_interval=1)  # the workers' interval: the first poll is soon
    service = FeedService(store, FakeSummarizer(), FakeSink(), config, limits=LOOPBACK)
    try:
        for feed_url, channel in feeds:
            await service.add_subscription(feed_url, guild_id, channel, placement=placement)
    finally:
        await service.stop()
        await store.close()


def worker_env(fake: FakeDiscord, guild: dict[str, Any], tmp: Path, url: str, **extra: str):
    return process_env(
        fake, guild["id"], tmp, DATABASE_URL=url, FETCH_ALLOWED_NETWORKS="127.0.0.1/32",
        FEED_POLL_INTERVAL="1", FEED_RETRY_SECONDS="1", LOG_LEVEL="INFO",
        STORY_WINDOW_HOURS="0",  # two feeds here serve the same story pages: posts, not groups
        **extra,
    )  # fmt: skip


class Workers:
    """`precis worker` processes by name; each logs to tmp/worker-<name>.log."""

    def __init__(self, tmp: Path, env: dict[str, str]) -> None:
        self.tmp, self.env = tmp, env
        self.procs: dict[str, Process] = {}

    async def start(self, name: str) -> Process:
        env = {**self.env, "FEED_WORKER_NAME": name}
        proc = await start_process(env, self.tmp, "worker", f"worker-{name}.log")
        self.procs[name] = proc
        return proc

    async def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.returncode is None:
                proc.send_signal(signal.SIGCONT)
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                await asyncio.wait_for(proc.wait(), 20)
            except TimeoutError:
                proc.kill()
                await proc.wait()

    def log(self, name: str) -> str:
        return (self.tmp / f"worker-{name}.log").read_text(errors="replace")


def add_stories(server: FeedServer, feed: LiveFeed, count: int) -> None:
    """Like add_items, with links of the feed's own (two feeds posting in one channel
    would otherwise share them, and the second be left out as a duplicate)."""
    base = server.url(feed.path.removesuffix(".xml"))
    for entry in feed.add(count, link_base=base):
        server.file(f"{feed.path.removesuffix('.xml')}/story/{entry.n}", story_page(entry.n),
                    "text/html; charset=utf-8")  # fmt: skip


def posts(fake: FakeDiscord, channel: int) -> list[str]:
    return [m["embeds"][0]["title"] for m in fake.channel_messages(channel) if m.get("embeds")]


async def held_by(url: str, owner: str) -> int:
    """Pending deliveries whose claim `owner` holds (or held, if it died)."""
    engine = sa.ext.asyncio.create_async_engine(url)
    try:
        async with engine.connect() as conn:
            query = sa.select(sa.func.count()).where(
                deliveries.c.status == PENDING, deliveries.c.lease_owner == owner
            )
            return int((await conn.execute(query)).scalar() or 0)
    finally:
        await engine.dispose()


async def freeze(proc: Process, url: str) -> None:
    """SIGSTOP `proc` between two transactions: frozen inside one, it would hold its row
    locks (a hung worker does; PostgreSQL's idle_in_transaction_session_timeout ends that
    in production), and the other worker's claims would skip those rows."""
    engine = sa.ext.asyncio.create_async_engine(url)
    busy = sa.text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction')"
    )
    try:
        for _ in range(100):
            proc.send_signal(signal.SIGSTOP)
            await asyncio.sleep(0.3)
            async with engine.connect() as conn:
                if not (await conn.execute(busy)).scalar():
                    return
            proc.send_signal(signal.SIGCONT)
            await asyncio.sleep(0.05)
        raise AssertionError("the worker was always inside a transaction")
    finally:
        await engine.dispose()


@pytest.fixture
async def counting() -> AsyncIterator[CountingServer]:
    server = CountingServer(delay=0.2)
    await server.start()
    yield server
    await server.stop()


async def test_two_workers_one_killed_every_item_posted_once(
    tmp_path: Path, pg_url: str, counting: CountingServer
) -> None:
    async with FakeDiscord(heartbeat_interval=1.0) as fake:
        names = [f"c{n}" for n in range(6)]
        guild = await fake.create_guild("Newsroom", channels=names)
        channels = [int(guild["channels"][name]) for name in names]
        feeds = [live_feed(counting, f"/feed{n}.xml", items=1) for n in range(6)]
        pairs = [(counting.url(f.path), c) for f, c in zip(feeds, channels, strict=True)]
        await subscribe(pg_url, pairs, int(guild["id"]))
        # a killed worker's claims are free after 8 s, the host slots it held after 20 s
        env = worker_env(fake, guild, tmp_path, pg_url, FEED_DELIVERY_LEASE_SECONDS="8",
                         FEED_POLL_LEASE_SECONDS="8", FETCH_TIMEOUT="5")  # fmt: skip
        workers = Workers(tmp_path, env)
        try:
            await workers.start("a")
            await workers.start("b")
            total = lambda: sum(len(posts(fake, c)) for c in channels)  # noqa: E731
            await wait_for(lambda: total() == 6, 90, "the first posts")

            # Discord answers every post late (the message exists at once): a worker
            # killed now leaves posts it made but never recorded.
            fake.inject_fault("POST", r"^/channels/\d+/messages$", kind="slow_response",
                              hang_seconds=1.5, count=10_000)  # fmt: skip
            for feed in feeds:
                add_items(counting, feed, 2)

            holder: list[str] = []

            async def one_is_posting() -> bool:  # the worker that polled has the posts
                if total() > 6:
                    holder[:] = [n for n in ("a", "b") if await held_by(pg_url, n) > 0][:1]
                return bool(holder)

            await wait_for(one_is_posting, 60, "a worker in the middle of posting")
            [name] = holder
            workers.procs[name].send_signal(signal.SIGKILL)
            await workers.procs[name].wait()
            assert await held_by(pg_url, name) > 0  # it died holding claims...
            # ...which the other takes over once their leases ran out: all 18, each once.
            await wait_for(lambda: total() == 18, 90, "the other to post what it left")
            assert await held_by(pg_url, name) == 0

            fake.clear_faults()
            await workers.start(name)  # the same name: its old claims are its own again
            for feed in feeds:
                add_items(counting, feed, 1)
            await wait_for(lambda: total() == 24, 60, "the posts after the restart")
            await asyncio.sleep(3)  # time for a duplicate to show up
        finally:
            await workers.stop_all()
        for channel in channels:
            assert posts(fake, channel) == [f"Harbour story {n}" for n in range(1, 5)]
        assert counting.feed_peak == 1  # no feed was ever fetched by two workers at once
        assert "feed worker a started" in workers.log("a")
        assert "feed worker b started" in workers.log("b")
        assert all(proc.returncode == 0 for proc in workers.procs.values())  # the last lives


async def test_per_host_limit_holds_across_workers(tmp_path: Path, pg_url: str) -> None:
    server = CountingServer(delay=0.4)  # slow answers: polls pile up on the one host
    await server.start()
    async with FakeDiscord(heartbeat_interval=1.0) as fake:
        guild = await fake.create_guild("Newsroom", channels=["news"])
        news = int(guild["channels"]["news"])
        feeds = [live_feed(server, f"/f{n}.xml", items=1) for n in range(10)]
        await subscribe(pg_url, [(server.url(f.path), news) for f in feeds], int(guild["id"]))
        workers = Workers(tmp_path, worker_env(fake, guild, tmp_path, pg_url,
                                               FEED_PER_HOST_LIMIT="2"))  # fmt: skip
        try:
            await workers.start("a")
            await workers.start("b")
            seen = server.fetches()
            # 10 feeds due every second, 0.4 s each: twice what two slots can serve.
            await wait_for(lambda: server.fetches() >= seen + 60, 120, "60 polls")
        finally:
            await workers.stop_all()
            await server.stop()
        assert server.peak == 2  # the limit was reached, never passed, by both together
        assert server.feed_peak == 1


async def test_a_429_seen_by_one_worker_delays_the_other(
    tmp_path: Path, pg_url: str, counting: CountingServer
) -> None:
    async with FakeDiscord(heartbeat_interval=1.0) as fake:
        guild = await fake.create_guild("Newsroom", channels=["news"])
        news = int(guild["channels"]["news"])
        one, two = counting.feed("/one.xml"), counting.feed("/two.xml")
        add_stories(counting, one, 1)
        add_stories(counting, two, 1)
        await subscribe(pg_url, [(counting.url(f.path), news) for f in (one, two)],
                        int(guild["id"]))  # fmt: skip
        route = rf"^/channels/{news}/messages$"
        # a, frozen, keeps its post's claim; a feed it was polling is b's after 5 s (and
        # a host slot a holds stays a's: a third one is left for b)
        env = worker_env(fake, guild, tmp_path, pg_url, FEED_DELIVERY_LEASE_SECONDS="120",
                         FEED_POLL_LEASE_SECONDS="5", FEED_PER_HOST_LIMIT="3")  # fmt: skip
        workers = Workers(tmp_path, env)
        try:
            a = await workers.start("a")
            await wait_for(lambda: len(posts(fake, news)) == 2, 90, "the first posts")
            fault = fake.inject_fault("POST", route, kind="ratelimit", retry_after=20)
            add_stories(counting, one, 1)
            await wait_for(lambda: fake.faults()[0]["hits"] == 1, 30, "a's 429")
            limited_at = max(r["at"] for r in fake.requests("POST", route) if r["status"] == 429)
            await asyncio.sleep(1)  # a records the 429 ...
            await freeze(a, pg_url)  # ... then sleeps it out, frozen: b must post two
            await workers.start("b")
            added_at = time.time()
            add_stories(counting, two, 1)
            await wait_for(lambda: len(posts(fake, news)) == 3, 60, "b's post")
            a.send_signal(signal.SIGCONT)
            await wait_for(lambda: len(posts(fake, news)) == 4, 60, "a's post after its wait")
        finally:
            await workers.stop_all()
        assert fault["kind"] == "ratelimit"
        found = [t for t in counting.fetched_at["/two.xml"] if t > added_at]  # b's polls
        assert found and found[0] < limited_at + 15  # b had its post ready well before...
        sent = [
            r for r in fake.requests("POST", route) if r["at"] > limited_at and r["status"] == 200
        ]
        assert sent and sent[0]["at"] >= limited_at + 19.5  # ...and waited out a's 429
        assert [r["status"] for r in fake.requests("POST", route)].count(429) == 1
        assert sorted(posts(fake, news)) == sorted(
            ["Harbour story 1"] * 2 + ["Harbour story 2"] * 2
        )
        assert "Discord's limit on POST channels/" in workers.log("b")


async def test_the_gateway_leaves_the_feeds_to_a_worker(
    tmp_path: Path, pg_url: str, counting: CountingServer
) -> None:
    """`precis run` with FEEDS_IN_GATEWAY=false answers `/feed add` and posts nothing;
    the worker posts."""
    feed = live_feed(counting, "/feed.xml", items=1)
    async with FakeDiscord(heartbeat_interval=1.0) as fake:
        guild = await fake.create_guild("Newsroom", channels=["general", "news"])
        news = int(guild["channels"]["news"])
        env = worker_env(fake, guild, tmp_path, pg_url, FEEDS_IN_GATEWAY="false")
        gateway = await start_process(env, tmp_path)
        workers = Workers(tmp_path, env)
        try:
            synced = lambda: any(c["name"] == "feed" for c in fake.synced_commands(guild["id"]))  # noqa: E731
            await wait_for(synced, 60, "commands")
            assert await fake.wait_until_connected(timeout=30), "the bot never connected"
            options = {"url": counting.url(feed.path), "channel": news}
            inter = await fake.fire_slash_command("feed add", options, channel_id=news)
            await fake.wait_for_reply(inter["id"], timeout=30)
            await asyncio.sleep(4)  # the queued item is due now: a poller would post it
            assert posts(fake, news) == []
            await workers.start("w")
            await wait_for(lambda: posts(fake, news) == ["Harbour story 1"], 60, "the post")
        finally:
            await workers.stop_all()
            gateway.send_signal(signal.SIGTERM)
            await asyncio.wait_for(gateway.wait(), 20)
        log = (tmp_path / "bot.log").read_text(errors="replace")
        assert "feeds left to `precis worker` processes" in log
        assert "feed poller started" not in log
        assert gateway.returncode == 0


async def test_a_worker_posts_in_a_forum_and_a_thread_knowing_them_from_rest(
    tmp_path: Path, pg_url: str, counting: CountingServer
) -> None:
    """No gateway cache: the forum is known as a forum from REST, its tag applied; a
    thread is started on a message; a notice reaches its channel."""
    async with FakeDiscord(heartbeat_interval=1.0) as fake:
        guild = await fake.create_guild("Newsroom", channels=["news"])
        forum = await fake.create_forum(guild["id"], "press", ["Local", "World"])
        one, two = counting.feed("/one.xml"), counting.feed("/two.xml")
        add_stories(counting, one, 1)
        add_stories(counting, two, 1)
        tagged = Placement(FORUM, tag_id=forum["tags"]["World"], tag_name="World")
        await subscribe(pg_url, [(counting.url(one.path), forum["id"])], guild["id"], tagged)
        news = int(guild["channels"]["news"])
        await subscribe(pg_url, [(counting.url(two.path), news)], guild["id"], Placement(THREAD))
        workers = Workers(tmp_path, worker_env(fake, guild, tmp_path, pg_url))
        try:
            await workers.start("w")
            await wait_for(lambda: len(fake.threads(forum["id"])) == 1, 60, "the forum post")
            await wait_for(lambda: len(fake.threads(news)) == 1, 60, "the thread")
            two.status = 500  # failing: after 3 polls the channel is told
            told = lambda: any("has failed" in str(m.get("content"))  # noqa: E731
                               for m in fake.channel_messages(news))  # fmt: skip
            await wait_for(told, 60, "the notice")
        finally:
            await workers.stop_all()
        [post] = fake.threads(forum["id"])
        assert post["applied_tags"] == [str(forum["tags"]["World"])]
        assert post["messages"][0]["embeds"][0]["title"] == "Harbour story 1"
        [thread] = fake.threads(news)
        assert thread["name"] == post["name"] == "Story number 1 about the harbour"
        assert posts(fake, news) == ["Harbour story 1"]
