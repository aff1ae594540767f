"""The loopback site of benchmarks/workers.py (a child process): feeds with ETag/304 and
article pages on several loopback addresses (hosts, for the per-host limit), items
arriving at random, and what it saw at GET /_stats — when each item appeared, when a feed
body first carried it (the poll that found it), and when each feed was polled."""

from __future__ import annotations

import asyncio
import json
import random
import time
from email.utils import formatdate
from typing import Any
from xml.sax.saxutils import escape

from benchmarks.feeds import ARTICLE

HISTORY = 5  # items each feed has before the run (subscribing marks them seen)


def host(feed: int, hosts: int) -> str:
    """Feed i's host: the loopback addresses 127.0.0.1 ... 127.0.0.<hosts>."""
    return f"127.0.0.{1 + feed % hosts}"


def serve(port_out: Any, feeds: int, rate: float, window: int, hosts: int) -> None:
    from aiohttp import web

    rng = random.Random(11)
    items: dict[int, list[tuple[int, float]]] = {f: [] for f in range(feeds)}
    versions = dict.fromkeys(range(feeds), 0)
    appeared: list[tuple[int, int, float]] = []  # (item, feed, when)
    served: dict[int, float] = {}
    polls: dict[int, list[float]] = {f: [] for f in range(feeds)}
    cache: dict[int, tuple[int, bytes]] = {}
    where = {"port": 0, "counter": 0, "arriving": True}
    paragraphs = [p for p in ARTICLE.split("\n\n") if p.strip()]
    page = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)

    def add_item(feed: int, stamp: float, *, history: bool = False) -> None:
        where["counter"] += 1
        n = where["counter"]
        items[feed].append((n, stamp))
        del items[feed][:-window]
        versions[feed] += 1
        if not history:
            appeared.append((n, feed, stamp))

    for f in range(feeds):
        for _ in range(HISTORY):
            add_item(f, time.time() - 3600, history=True)

    def render(feed: int) -> bytes:
        cached = cache.get(feed)
        if cached and cached[0] == versions[feed]:
            return cached[1]
        parts = [
            f"<item><title>Item {n} of feed {feed}</title>"
            f"<link>http://{host(feed, hosts)}:{where['port']}/article/{n}</link>"
            f'<guid isPermaLink="false">f{feed}-i{n}</guid>'
            f"<pubDate>{formatdate(stamp, usegmt=True)}</pubDate>"
            f"<description>{escape(paragraphs[n % len(paragraphs)][:400])}</description></item>"
            for n, stamp in reversed(items[feed])
        ]
        body = (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Bench feed {feed}</title><link>http://127.0.0.1/</link>"
            "<description>bench</description>" + "".join(parts) + "</channel></rss>"
        ).encode()
        cache[feed] = (versions[feed], body)
        return body

    async def feed_handler(request: web.Request) -> web.Response:
        feed = int(request.match_info["n"])
        now = time.time()
        polls[feed].append(now)
        etag = f'"{versions[feed]}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        for n, _ in items[feed]:
            served.setdefault(n, now)
        return web.Response(
            body=render(feed), headers={"ETag": etag}, content_type="application/rss+xml"
        )

    async def article_handler(request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        html = (
            f"<html><head><title>Article {n}</title></head><body><article>"
            f"<h1>Article {n}</h1>{page}</article></body></html>"
        )
        return web.Response(text=html, content_type="text/html")

    async def stats(request: web.Request) -> web.Response:
        if request.query.get("stop"):
            where["arriving"] = False
        body = {"appeared": appeared, "served": served, "polls": polls}
        return web.Response(text=json.dumps(body), content_type="application/json")

    async def arrivals() -> None:
        while True:
            await asyncio.sleep(rng.expovariate(rate))
            if where["arriving"]:
                add_item(rng.randrange(feeds), time.time())

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/feed/{n}.xml", feed_handler)
        app.router.add_get("/article/{n}", article_handler)
        app.router.add_get("/_stats", stats)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        where["port"] = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        for n in range(1, hosts):  # the same site on the other loopback addresses
            await web.TCPSite(runner, host(n, hosts), where["port"]).start()
        port_out.put(where["port"])
        await arrivals()

    asyncio.run(main())
