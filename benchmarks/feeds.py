"""Feed engine benchmark: many subscriptions over loopback feeds with items arriving all along.

    .venv/bin/python benchmarks/feeds.py                       # 200 feeds, 1000 subs, ~2 min
    .venv/bin/python benchmarks/feeds.py --interval 300 --duration 600   # real time scale

A separate process (pinned to another core when there is one) serves the feeds
and the article pages on 127.0.0.1, adding items at random (a Poisson process)
and stamping each with the moment it appeared. This process runs the real
engine — `Store` on an SQLite file, `FeedService` with its real fetcher — pinned to
one core, with the real summarizing pipeline when it can be imported (the
article page is fetched and summarized) and an in-process fake Discord sink.

Printed: polls/s, how close each feed is polled to its interval, items
summarized and delivered/s, peak RSS, CPU use, and the delay from an item
appearing to its post (median, p95), split into waiting for the next poll
(bounded by the interval) and the work after the poll found it.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import ipaddress
import multiprocessing as mp
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from email.utils import formatdate
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ARTICLE = (ROOT / "tests" / "data" / "articles" / "en_spacecraft.txt").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- feed server


def serve(port_out: Any, feeds: int, rate: float, window: int, cpu: int | None) -> None:
    """The loopback site (child process): feeds with ETag/304 and article pages."""
    from aiohttp import web

    if cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {cpu})
    rng = random.Random(7)
    where = {"port": 0}
    items: dict[int, list[tuple[int, float]]] = {f: [] for f in range(feeds)}
    versions = dict.fromkeys(range(feeds), 0)
    counter = 0
    body_cache: dict[int, tuple[int, bytes]] = {}
    paragraphs = [p for p in ARTICLE.split("\n\n") if p.strip()]

    def add_item(feed: int, stamp: float) -> None:
        nonlocal counter
        counter += 1
        items[feed].append((counter, stamp))
        del items[feed][:-window]
        versions[feed] += 1

    for f in range(feeds):  # some history, so subscribing has something to skip
        for _ in range(5):
            add_item(f, time.time() - 3600)

    def render(feed: int) -> bytes:
        cached = body_cache.get(feed)
        if cached and cached[0] == versions[feed]:
            return cached[1]
        parts = []
        for n, stamp in reversed(items[feed]):
            parts.append(
                f"<item><title>Item {n} of feed {feed}</title>"
                f"<link>http://127.0.0.1:{where['port']}/article/{n}</link>"
                f'<guid isPermaLink="false">f{feed}-i{n}-t{stamp:.3f}</guid>'
                f"<pubDate>{formatdate(stamp, usegmt=True)}</pubDate>"
                f"<description>{escape(paragraphs[n % len(paragraphs)][:400])}</description>"
                "</item>"
            )
        body = (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Bench feed {feed}</title><link>http://127.0.0.1/</link>"
            "<description>bench</description>" + "".join(parts) + "</channel></rss>"
        ).encode()
        body_cache[feed] = (versions[feed], body)
        return body

    async def feed_handler(request: web.Request) -> web.Response:
        feed = int(request.match_info["n"])
        etag = f'"{versions[feed]}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(
            body=render(feed), headers={"ETag": etag}, content_type="application/rss+xml"
        )

    async def article_handler(request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
        html = (
            f"<html><head><title>Article {n}</title></head><body><article>"
            f"<h1>Article {n}</h1>{body}</article></body></html>"
        )
        return web.Response(text=html, content_type="text/html")

    async def arrivals() -> None:
        while True:
            await asyncio.sleep(rng.expovariate(rate))
            add_item(rng.randrange(feeds), time.time())

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/feed/{n}.xml", feed_handler)
        app.router.add_get("/article/{n}", article_handler)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        where["port"] = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        port_out.put(where["port"])
        await arrivals()

    asyncio.run(main())


# --------------------------------------------------------------------------- the bot side


class BenchSink:
    """Fake Discord: a small round-trip per post, records each item's delay."""

    def __init__(self, latency: float) -> None:
        self.latency = latency
        self.delays: list[float] = []
        self.after_poll: list[float] = []
        self.posts = 0
        self.notices: list[str] = []
        self.measuring = False
        self.found_at: dict[str, float] = {}

    async def deliver(self, delivery: Any, summary: Any) -> Any:
        from bot.feeds.runtime import DeliveryResult

        await asyncio.sleep(self.latency)
        now = time.time()
        self.posts += 1
        guid = delivery.item.guid or ""
        appeared = float(guid.rsplit("-t", 1)[1]) if "-t" in guid else None
        if self.measuring and appeared is not None and appeared > self.t_start:
            self.delays.append(now - appeared)
            found = self.found_at.get(f"{delivery.feed_url}|{guid}")
            if found is not None:
                self.after_poll.append(now - found)
        return DeliveryResult.sent(self.posts)

    async def notify(self, notice: Any) -> Any:
        from bot.discord_adapter.notices import notice_text
        from bot.feeds.runtime import DeliveryResult

        self.notices.append(notice_text(notice))
        return DeliveryResult.sent(0)

    t_start = 0.0


def make_summarizer(limits: Any, use_pipeline: bool) -> tuple[Any, str]:
    """The lead's summarize(): the real pipeline on the linked page when available."""
    from concurrent.futures import ThreadPoolExecutor

    from bot.models import SourceInfo, Stats, Summary

    executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="summarize")
    if use_pipeline:
        try:
            from bot.pipeline import HtmlSource, Options, UrlSource, summarize_source

            async def real(link: str | None, fallback: str | None, sentences: int) -> Summary:
                source = UrlSource(link) if link else HtmlSource(fallback or "")
                _, summary = await summarize_source(
                    source, Options(sentences=sentences), limits=limits, executor=executor
                )
                return summary

            return real, "real pipeline (fetch + extract + summarize)"
        except ImportError as exc:
            why = f"pipeline not importable ({exc}); stand-in summarizer"
    else:
        why = "stand-in summarizer (--no-pipeline)"

    from bot.ingest.fetch import fetch_url

    async def standin(link: str | None, fallback: str | None, sentences: int) -> Summary:
        if link:
            await fetch_url(link, limits)  # still fetch the article, as the pipeline would
        text = ARTICLE
        chosen = [s.strip() + "." for s in text.split(". ")[:sentences]]
        words = len(text.split())
        return Summary(
            title=None,
            language="en",
            source=SourceInfo(name=None, url=link),
            summary=chosen,
            entities=[],
            stats=Stats(words=words, sentences=10, summary_words=30, reduction=0.9),
            algorithm="standin",
        )

    return standin, why


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


async def run(args: argparse.Namespace) -> None:
    from bot.feeds.runtime import FeedsConfig
    from bot.feeds.schema import utcnow
    from bot.feeds.service import FeedService
    from bot.feeds.store import Store
    from bot.ingest import fetch as fetch_module
    from bot.ingest.fetch import FetchLimits

    ctx = mp.get_context("spawn")
    ports: Any = ctx.Queue()
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    server_cpu = cpus[-1] if len(cpus) > 1 else None
    server = ctx.Process(
        target=serve,
        args=(ports, args.feeds, args.rate, args.window, server_cpu),
        daemon=True,
    )
    server.start()
    port = ports.get(timeout=30)
    if cpus:
        os.sched_setaffinity(0, {cpus[0]})  # the bot on one core

    tmp = tempfile.mkdtemp(prefix="precis-bench-")
    store = await Store.open(f"sqlite+aiosqlite:///{tmp}/bench.sqlite3")
    limits = FetchLimits(
        max_bytes=2 * 1024 * 1024,
        timeout=15,
        allowed_networks=(ipaddress.ip_network("127.0.0.1/32"),),
    )
    sink = BenchSink(args.sink_latency)
    summarize, how = make_summarizer(limits, not args.no_pipeline)
    config = FeedsConfig(
        poll_interval=args.interval,
        poll_jitter=0.1,
        max_items_per_poll=5,
        per_host_limit=args.global_limit,  # every feed is on 127.0.0.1 here
        global_limit=args.global_limit,
        delivery_concurrency=args.delivery_concurrency,
        idle_wake=1.0,
        stop_timeout=2.0,
    )

    poll_times: dict[str, list[float]] = defaultdict(list)
    real_fetch = fetch_module.fetch_url

    async def timed_fetch(url: str, *a: Any, **kw: Any) -> Any:
        fetched = await real_fetch(url, *a, **kw)
        now = time.time()
        if "/feed/" in url:
            poll_times[url].append(now)
            if fetched.status == 200 and sink.measuring:
                for guid in _guids(fetched.data):
                    sink.found_at.setdefault(f"{url}|{guid}", now)
        return fetched

    poller = FeedService(store, summarize, sink, config, limits=limits, fetch=timed_fetch)
    print(f"summarizer: {how}", flush=True)

    # Subscribe: 1,000 channels over 200 feeds, through the real /feed add path.
    t = time.perf_counter()
    sem = asyncio.Semaphore(20)

    async def add(i: int) -> None:
        async with sem:
            feed = i % args.feeds
            await poller.add_subscription(
                f"http://127.0.0.1:{port}/feed/{feed}.xml", guild_id=1 + i // 50,
                channel_id=10_000 + i, sentences=3,
            )  # fmt: skip

    await asyncio.gather(*(add(i) for i in range(args.subs)))
    setup = time.perf_counter() - t
    # Steady state: feeds spread over the interval, as after a day of running.
    for feed in await store.list_feeds():
        when = utcnow() + dt.timedelta(seconds=random.uniform(0, args.interval))
        await store.set_next_poll(feed.id, when)
    print(f"subscribed {args.subs} channels to {args.feeds} feeds in {setup:.1f} s", flush=True)

    await poller.start()
    await asyncio.sleep(args.warmup)  # first posts (one per subscription) drain here
    sink.t_start = time.time()
    sink.measuring = True
    for times in poll_times.values():
        times.clear()
    posts0, stats0 = sink.posts, (poller.stats.polls, poller.stats.delivered)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    await asyncio.sleep(args.duration)
    cpu1, wall1 = time.process_time(), time.perf_counter()
    polls = poller.stats.polls - stats0[0]
    delivered = poller.stats.delivered - stats0[1]
    posts = sink.posts - posts0
    backlog = (await store.stats())["pending_deliveries"]
    t = time.perf_counter()
    await poller.stop()
    stop_s = time.perf_counter() - t
    await store.close()
    server.terminate()

    wall = wall1 - wall0
    gaps = [b - a for times in poll_times.values() for a, b in zip(times, times[1:], strict=False)]
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print()
    print(f"feeds {args.feeds}, subscriptions {args.subs}, interval {args.interval:g} s, "
          f"items arriving {args.rate:g}/s, measured {wall:.0f} s")  # fmt: skip
    print(f"polls/s                 {polls / wall:8.2f}   (schedule needs "
          f"{args.feeds / args.interval:.2f})")  # fmt: skip
    if gaps:
        ratio = [g / args.interval for g in gaps]
        print(f"poll gap / interval     median {statistics.median(ratio):.2f}, "
              f"p95 {pct(ratio, 0.95):.2f}, max {max(ratio):.2f}")  # fmt: skip
    print(f"feeds polled            {len(poll_times)} of {args.feeds}")
    print(f"items summarized+posted {delivered / wall:8.2f}/s  ({posts} posts, of which "
          f"{len(sink.delays)} for items that appeared during the run)")  # fmt: skip
    print(f"delay appear -> post    median {statistics.median(sink.delays):.2f} s, "
          f"p95 {pct(sink.delays, 0.95):.2f} s  ({len(sink.delays)} items)"
          if sink.delays else "delay appear -> post    (no items)")  # fmt: skip
    if sink.after_poll:
        print(f"delay poll -> post      median {statistics.median(sink.after_poll):.2f} s, "
              f"p95 {pct(sink.after_poll, 0.95):.2f} s")  # fmt: skip
    print(f"CPU (one core)          {100 * (cpu1 - cpu0) / wall:.0f} %")
    print(f"peak RSS                {rss_mb:.0f} MB")
    print(f"queue left at the end   {backlog} pending; stop() took {stop_s:.2f} s")
    print(f"notices                 {len(sink.notices)}")


def _guids(data: bytes) -> list[str]:
    out: list[str] = []
    start = 0
    while True:
        i = data.find(b'<guid isPermaLink="false">', start)
        if i < 0:
            return out
        j = data.find(b"</guid>", i)
        out.append(data[i + 26 : j].decode())
        start = j


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--subs", type=int, default=1000)
    parser.add_argument("--interval", type=float, default=60.0, help="poll interval, seconds")
    parser.add_argument("--rate", type=float, default=2.0, help="new items per second, all feeds")
    parser.add_argument("--window", type=int, default=20, help="items shown per feed")
    parser.add_argument("--duration", type=float, default=90.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=15.0)
    parser.add_argument("--sink-latency", type=float, default=0.05, help="fake Discord RTT")
    parser.add_argument("--global-limit", type=int, default=10)
    parser.add_argument("--delivery-concurrency", type=int, default=5)
    parser.add_argument("--no-pipeline", action="store_true", help="use the stand-in summarizer")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
