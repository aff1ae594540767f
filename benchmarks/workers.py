"""Feed workers benchmark (issue 16 §4): `precis worker` processes on one PostgreSQL.

    .venv/bin/python benchmarks/workers.py --feeds 1000 --interval 60 --duration 180
    .venv/bin/python benchmarks/workers.py --feeds 10000 --interval 300 --duration 900 \\
        --workers 1,2 --kill-at 300                              # the full run (~40 min)

For each worker count in --workers (a fresh database each time): a throw-away PostgreSQL
cluster (tests/helpers/pgserver.py), a loopback site in a child process serving the feeds
(ETag/304) and article pages on --hosts loopback addresses (127.0.0.1 ... 127.0.0.N),
items arriving at random (--rate per second, all feeds together, each stamped with the
moment it appeared), the Discord emulator (tests/fakediscord/) in this process, one
channel per feed, subscribed through the real `/feed add` path (the first posts of
subscribing count as done: a steady state, as after a day of running). Then N real
`precis worker` processes (the real summarizing pipeline, posting over REST to the
emulator) for --duration seconds; with --kill-at, worker 1 is
SIGKILLed that many seconds in and restarted under its name --restart-after seconds later
(in runs with at least 2 workers).

Printed per run: polls/s against what the schedule needs, poll gap / interval (p50, p95,
max; the target is p95 <= 1.1), the delay from the poll that found an item to its post and
from its appearance to its post (p50, p95), duplicate posts and lost items (appeared early
enough to be due, never posted), peak RSS of each worker (its own process; with its
summary processes, as PSS and as summed RSS) and each worker's share of the work: polls/s,
items posted/s, CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import random
import re
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.feeds import pct  # noqa: E402
from benchmarks.workers_site import host, serve  # noqa: E402

CHANNELS_PER_GUILD = 500


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --------------------------------------------------------------------------- processes


def tree(pid: int) -> list[int]:
    """`pid` and its descendants (the worker's summary processes)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += parents.get(current, [])
    return found


def status_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def pss_kb(pid: int) -> int:
    """Proportional set size: pages shared with other processes counted in shares."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            continue
    return total


class Worker:
    """One `precis worker` process, its log in --logs, its /metrics on its own port."""

    def __init__(self, name: str, env: dict[str, str], logs: Path) -> None:
        self.name, self.env, self.logs = name, env, logs
        self.port = free_port()
        self.proc: asyncio.subprocess.Process | None = None
        self.peak_kb = 0  # VmHWM of the worker process, over its lives
        self.tree_peak_kb = 0  # the worker and its summary processes together (sampled)
        self.tree_pss_peak_kb = 0  # the same, shared pages counted once (PSS, sampled)
        self.counted: dict[str, float] = {}  # counters of lives that ended (killed)

    async def start(self) -> None:
        env = {**self.env, "FEED_WORKER_NAME": self.name, "WEB_PORT": str(self.port)}
        with (self.logs / f"worker-{self.name}.log").open("ab") as log:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "worker", cwd=ROOT, env=env,
                stdout=asyncio.subprocess.DEVNULL, stderr=log,
            )  # fmt: skip

    def sample(self) -> None:
        if self.proc is None or self.proc.returncode is not None:
            return
        self.peak_kb = max(self.peak_kb, status_kb(self.proc.pid, "VmHWM"))
        pids = tree(self.proc.pid)
        self.tree_peak_kb = max(self.tree_peak_kb, sum(status_kb(pid, "VmRSS") for pid in pids))
        self.tree_pss_peak_kb = max(self.tree_pss_peak_kb, sum(pss_kb(pid) for pid in pids))

    async def metrics(self) -> dict[str, float]:
        import aiohttp

        url = f"http://127.0.0.1:{self.port}/metrics"
        async with aiohttp.ClientSession() as session, session.get(url) as answer:
            text = await answer.text()
        got = dict.fromkeys(("polls", "posts"), 0.0)
        for line in text.splitlines():
            if line.startswith("precis_feed_polls_total{"):
                got["polls"] += float(line.rsplit(" ", 1)[1])
            elif line.startswith('precis_summaries_total{door="feed",outcome="ok"}'):
                got["posts"] += float(line.rsplit(" ", 1)[1])
        return {k: v + self.counted.get(k, 0.0) for k, v in got.items()}

    async def wait_ready(self, timeout: float = 120) -> None:
        import aiohttp

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.returncode is not None:
                raise SystemExit(f"worker {self.name} exited: see {self.logs}")
            try:
                async with (
                    aiohttp.ClientSession() as s,
                    s.get(f"http://127.0.0.1:{self.port}/healthz") as answer,
                ):
                    if answer.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.5)
        raise SystemExit(f"worker {self.name} never became healthy: see {self.logs}")

    async def kill(self) -> None:
        assert self.proc is not None
        self.sample()
        before = await self.metrics()
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()
        self.counted = before

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 30)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()


# --------------------------------------------------------------------------- set-up


class NoSink:
    """Subscribing's first posts are not measured: they are marked done right after."""

    async def deliver(self, *_: Any) -> Any:
        raise AssertionError("nothing is posted while subscribing")

    notify = create_forum_post = own_forum_posts = start_thread = deliver


async def stand_in(link: str | None, html: str | None, sentences: int) -> Any:
    from bot.models import SourceInfo, Stats, Summary

    return Summary(title=None, language="en", source=SourceInfo(name=None, url=link),
                   summary=["."], entities=[], algorithm="standin",
                   stats=Stats(words=1, sentences=1, summary_words=1, reduction=0.0))  # fmt: skip


async def subscribe(
    url: str, port: int, channels: list[tuple[int, int]], args: argparse.Namespace
) -> None:
    """`/feed add` of feed i to channels[i] (guild, channel); then a steady state: the
    first posts done, the next polls spread over one interval."""
    import ipaddress

    import sqlalchemy as sa

    from bot.feeds.runtime import FeedsConfig
    from bot.feeds.service import FeedService
    from bot.feeds.store import Store
    from bot.ingest.fetch import FetchLimits

    store = await Store.open(url)
    interval = args.interval
    limits = FetchLimits(allowed_networks=(ipaddress.ip_network("127.0.0.0/8"),))
    service = FeedService(store, stand_in, NoSink(), FeedsConfig(poll_interval=interval),
                          limits=limits)  # type: ignore[arg-type]  # fmt: skip
    gate = asyncio.Semaphore(20)

    async def add(i: int) -> None:
        async with gate:
            guild, channel = channels[i]
            feed = f"http://{host(i, args.hosts)}:{port}/feed/{i}.xml"
            await service.add_subscription(feed, guild, channel)

    await asyncio.gather(*(add(i) for i in range(len(channels))))
    async with store.engine.begin() as conn:
        await conn.execute(sa.text("UPDATE deliveries SET status = 'sent'"))
        await conn.execute(
            sa.text("UPDATE feeds SET next_poll = (now() at time zone 'utc') "
                    "+ random() * :iv * interval '1 second'"), {"iv": interval},
        )  # fmt: skip
    await service.stop()
    await store.close()


async def make_channels(fake: Any, feeds: int) -> list[tuple[int, int]]:
    channels: list[tuple[int, int]] = []
    for g in range(0, feeds, CHANNELS_PER_GUILD):
        names = [f"feed-{i}" for i in range(g, min(feeds, g + CHANNELS_PER_GUILD))]
        guild = await fake.create_guild(f"Bench {g // CHANNELS_PER_GUILD}", channels=names)
        channels += [(int(guild["id"]), int(guild["channels"][name])) for name in names]
    return channels


def worker_env(fake: Any, url: str, args: argparse.Namespace) -> dict[str, str]:
    return {
        **os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": url,
        "DISCORD_TOKEN": fake.token, "DISCORD_API_BASE": fake.api_base,
        "DISCORD_GATEWAY_URL": fake.gateway_url, "FETCH_ALLOWED_NETWORKS": "127.0.0.0/8",
        "FEED_POLL_INTERVAL": str(args.interval), "FEED_GLOBAL_LIMIT": str(args.global_limit),
        "FEED_PER_HOST_LIMIT": str(args.per_host_limit),
        "MAX_CONCURRENT_SUMMARIES": "2", "WEB_ENABLED": "true", "WEB_HOST": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }  # fmt: skip


# --------------------------------------------------------------------------- a run


async def measure(workers: list[Worker], args: argparse.Namespace, kill: bool) -> dict[str, Any]:
    """The measured period: samples, the kill and restart, each worker's counters."""
    start = {w.name: await w.metrics() for w in workers}
    cpu0 = {w.name: cpu_seconds(tree(w.proc.pid)) for w in workers if w.proc}
    t0 = time.time()
    killed_at = restarted_at = None
    while (now := time.time()) < t0 + args.duration:
        for w in workers:
            w.sample()
        if kill and killed_at is None and now >= t0 + args.kill_at:
            await workers[0].kill()
            killed_at = time.time()
        if killed_at and restarted_at is None and now >= killed_at + args.restart_after:
            await workers[0].start()
            restarted_at = time.time()
        await asyncio.sleep(1.0)
    t1 = time.time()
    end = {w.name: await w.metrics() for w in workers}
    cpu1 = {w.name: cpu_seconds(tree(w.proc.pid)) for w in workers if w.proc}
    shares: dict[str, dict[str, float | None]] = {}
    for w in workers:
        cpu = None if (kill and w is workers[0]) else (cpu1[w.name] - cpu0[w.name]) / (t1 - t0)
        share: dict[str, float | None] = {k: (end[w.name][k] - start[w.name][k]) / (t1 - t0)
                                          for k in end[w.name]}  # fmt: skip
        shares[w.name] = {**share, "cpu": cpu}
    return {"t0": t0, "t1": t1, "killed_at": killed_at, "restarted_at": restarted_at,
            "shares": shares}  # fmt: skip


async def database(url: str) -> dict[str, float]:
    """The database's size, rows and commits so far (its load over a period)."""
    import sqlalchemy as sa
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            got = {
                "bytes": float((await conn.execute(
                    sa.text("SELECT pg_database_size(current_database())"))).scalar() or 0),
                "commits": float((await conn.execute(sa.text(
                    "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
                ))).scalar() or 0),
            }  # fmt: skip
            for table in ("feeds", "items", "deliveries", "item_fates"):
                count = await conn.execute(sa.text(f"SELECT count(*) FROM {table}"))
                got[table] = float(count.scalar() or 0)
    finally:
        await engine.dispose()
    return got


def posts_of(fake: Any, channels: list[tuple[int, int]]) -> list[tuple[int, int, float]]:
    """(channel, item, when posted) of every message the emulator holds."""
    from datetime import datetime

    found = []
    for _, channel in channels:
        for message in fake.channel_messages(channel):
            for embed in message.get("embeds") or []:
                match = re.search(r"/article/(\d+)", str(embed.get("url", "")))
                if match:
                    when = datetime.fromisoformat(message["timestamp"]).timestamp()
                    found.append((channel, int(match.group(1)), when))
    return found


async def run_once(args: argparse.Namespace, count: int, pg: Any) -> None:
    import aiohttp

    from tests.fakediscord import FakeDiscord
    from tests.helpers.pgserver import create_database, drop_database

    ctx = mp.get_context("spawn")
    ports: Any = ctx.Queue()
    site_args = (ports, args.feeds, args.rate, 20, args.hosts)
    site = ctx.Process(target=serve, args=site_args, daemon=True)
    site.start()
    port = ports.get(timeout=60)
    url = await create_database(pg)
    logs = Path(args.logs) / f"workers-{count}"
    logs.mkdir(parents=True, exist_ok=True)
    async with FakeDiscord(heartbeat_interval=41.25) as fake:
        channels = await make_channels(fake, args.feeds)
        t = time.perf_counter()
        await subscribe(url, port, channels, args)
        print(f"\n== {count} worker(s): subscribed {args.feeds} feeds in "
              f"{time.perf_counter() - t:.0f} s", flush=True)  # fmt: skip
        workers = [Worker(str(n + 1), worker_env(fake, url, args), logs) for n in range(count)]
        try:
            for w in workers:
                await w.start()
            for w in workers:
                await w.wait_ready()
            await asyncio.sleep(args.warmup)
            kill = args.kill_at is not None and count >= 2
            db0 = await database(url)
            period = await measure(workers, args, kill)
            period["db"] = (db0, await database(url))
            async with (
                aiohttp.ClientSession() as s,
                s.get(f"http://127.0.0.1:{port}/_stats?stop=1") as answer,
            ):
                stats = json.loads(await answer.text())
        finally:
            for w in workers:
                await w.stop()
        posted = posts_of(fake, channels)
    site.terminate()
    await drop_database(pg, url)
    report(args, count, workers, period, stats, posted)


def report(args: argparse.Namespace, count: int, workers: list[Worker], period: dict[str, Any],
           stats: dict[str, Any], posted: list[tuple[int, int, float]]) -> None:  # fmt: skip
    t0, t1, interval = period["t0"], period["t1"], args.interval
    polls = [t for times in stats["polls"].values() for t in times if t0 <= t <= t1]
    gaps = [(b - a) / interval for times in stats["polls"].values()
            for a, b in zip(times, times[1:], strict=False) if t0 <= b <= t1]  # fmt: skip
    first: dict[int, float] = {}
    copies: dict[tuple[int, int], int] = {}
    for channel, item, when in posted:
        first[item] = min(when, first.get(item, when))
        copies[(channel, item)] = copies.get((channel, item), 0) + 1
    served = {int(n): t for n, t in stats["served"].items()}
    during = [(n, t) for n, _, t in stats["appeared"] if t0 <= t <= t1]
    found_post = [first[n] - served[n] for n, _ in during if n in first and n in served]
    appear_post = [first[n] - t for n, t in during if n in first]
    due_by = t1 - (1.2 * interval + 30)  # appeared early enough that it must be posted
    lost = [n for n, t in during if t <= due_by and n not in first]
    duplicates = sum(c - 1 for c in copies.values())
    wall = t1 - t0
    print(f"feeds {args.feeds}, interval {interval:g} s, items {args.rate:g}/s, "
          f"{count} worker(s), measured {wall:.0f} s")  # fmt: skip
    if period["killed_at"]:
        print(f"worker 1 SIGKILLed at +{period['killed_at'] - t0:.0f} s, restarted at "
              f"+{period['restarted_at'] - t0:.0f} s")  # fmt: skip
    print(f"polls/s                 {len(polls) / wall:8.2f}   (the schedule needs "
          f"{args.feeds / interval:.2f})")  # fmt: skip
    if gaps:
        print(f"poll gap / interval     p50 {pct(gaps, 0.5):.2f}, p95 {pct(gaps, 0.95):.2f}, "
              f"max {max(gaps):.2f}  ({len(gaps)} gaps)")  # fmt: skip
    print(f"poll -> post            p50 {pct(found_post, 0.5):.2f} s, "
          f"p95 {pct(found_post, 0.95):.2f} s  ({len(found_post)} items)")  # fmt: skip
    print(f"appear -> post          p50 {pct(appear_post, 0.5):.2f} s, "
          f"p95 {pct(appear_post, 0.95):.2f} s")  # fmt: skip
    print(f"duplicate posts         {duplicates}")
    print(f"lost items              {len(lost)} of {sum(1 for _, t in during if t <= due_by)} "
          "due by the end")  # fmt: skip
    db0, db1 = period["db"]
    print(f"database                {db1['bytes'] / 2**20:.0f} MB; {db1['feeds']:.0f} feeds, "
          f"{db1['items']:.0f} items, {db1['deliveries']:.0f} deliveries, "
          f"{db1['item_fates']:.0f} item fates; "
          f"{(db1['commits'] - db0['commits']) / wall:.0f} commits/s")  # fmt: skip
    for w in workers:
        share = period["shares"][w.name]
        cpu = "n/a (killed)" if share["cpu"] is None else f"{100 * share['cpu']:.0f} %"
        print(f"worker {w.name}: polls {share['polls']:.2f}/s, items posted "
              f"{share['posts']:.2f}/s, CPU {cpu}, peak RSS {w.peak_kb / 1024:.0f} MB "
              f"(with its summary processes: PSS {w.tree_pss_peak_kb / 1024:.0f} MB, "
              f"RSS summed {w.tree_peak_kb / 1024:.0f} MB)")  # fmt: skip


async def run(args: argparse.Namespace) -> None:
    from tests.helpers.pgserver import start_server

    pg = start_server()
    try:
        for count in (int(n) for n in args.workers.split(",")):
            await run_once(args, count, pg)
    finally:
        pg.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--interval", type=float, default=60.0, help="poll interval, seconds")
    parser.add_argument("--rate", type=float, default=2.0, help="new items per second, all feeds")
    parser.add_argument("--duration", type=float, default=180.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=20.0)
    parser.add_argument("--workers", default="1,2", help="worker counts to run, e.g. 1,2")
    parser.add_argument(
        "--kill-at",
        type=float,
        default=None,
        help="SIGKILL worker 1 this many seconds in (runs of 2+ workers)",
    )
    parser.add_argument("--restart-after", type=float, default=10.0)
    parser.add_argument("--global-limit", type=int, default=10, help="FEED_GLOBAL_LIMIT")
    parser.add_argument("--per-host-limit", type=int, default=2, help="FEED_PER_HOST_LIMIT")
    parser.add_argument("--hosts", type=int, default=20, help="loopback hosts serving feeds")
    parser.add_argument("--logs", default="/tmp/precis-bench-workers", help="worker logs")
    args = parser.parse_args()
    random.seed(3)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
