"""Discord's rate limits shared by every process that posts with the bot's token.

discord.py keeps each route's bucket in its own process: a second worker does not know
that the first just got a 429 and walks into the same limit. These hooks, installed in
the aiohttp trace config discord.py sends its requests with, keep the buckets in the
database (bot/feeds/shared.py): before each request the route and the global budget are
asked (the request waits while another worker found them exhausted), and after each
answer its X-RateLimit-* headers or its 429 are recorded for all. When the database
cannot be asked, the request goes on under discord.py's own per-process limits (logged).
"""

from __future__ import annotations

import asyncio
import logging
import time
from types import SimpleNamespace
from typing import Any

import aiohttp
import discord

from bot.feeds.schema import GLOBAL_BUCKET
from bot.feeds.store import Store

log = logging.getLogger("precis.discord")

# The path segments whose id is part of a route's bucket (Discord's "major parameters").
MAJOR = ("channels", "guilds", "webhooks")
LONGEST_WAIT = 30.0  # one sleep; the bucket is asked again after it
# Not counted: interaction answers and follow-ups are not under the bot's global limit.
EXEMPT = ("interactions/", "webhooks/")


def route_key(method: str, url: str) -> str | None:
    """`POST channels/123/messages` for a request to the API (ids other than a channel's,
    guild's or webhook's become `{id}`); None for other URLs and exempt routes."""
    base = discord.http.Route.BASE.rstrip("/") + "/"
    if not url.startswith(base):
        return None
    path = url[len(base) :].split("?", 1)[0].strip("/")
    if path.startswith(EXEMPT):
        return None
    parts = path.split("/")
    for n, part in enumerate(parts):
        if part.isdigit() and (n == 0 or parts[n - 1] not in MAJOR):
            parts[n] = "{id}"
    return f"{method.upper()} {'/'.join(parts)}"[:200]


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


class SharedRateLimits:
    """Attach a store (`attach`) to share; before that, and on SQLite, nothing is asked."""

    def __init__(self, per_second: int) -> None:
        self.per_second = per_second
        self.store: Store | None = None
        self.waited = 0.0  # seconds requests spent waiting for a limit another worker saw

    def attach(self, store: Store) -> None:
        if store.engine.dialect.name == "postgresql":
            self.store = store

    def install(self, trace: aiohttp.TraceConfig) -> aiohttp.TraceConfig:
        trace.on_request_start.append(self._before)
        trace.on_request_end.append(self._after)
        return trace

    async def _before(self, _s: aiohttp.ClientSession, _c: SimpleNamespace, params: Any) -> None:
        key = route_key(params.method, str(params.url))
        if self.store is None or key is None:
            return
        while True:
            try:
                wait = await self.store.reserve_discord(key, time.time(), self.per_second)
            except Exception as exc:
                log.warning("rate limits not shared for %s (%s)", key, type(exc).__name__)
                return
            if wait <= 0:
                return
            if wait > 0.5:
                log.info("waiting %.1f s: Discord's limit on %s is used up", wait, key)
            self.waited += wait
            await asyncio.sleep(min(wait, LONGEST_WAIT))

    async def _after(self, _s: aiohttp.ClientSession, _c: SimpleNamespace, params: Any) -> None:
        key = route_key(params.method, str(params.url))
        if self.store is None or key is None:
            return
        headers = params.response.headers
        now = time.time()
        remaining = _float(headers.get("X-RateLimit-Remaining"))
        after = _float(headers.get("X-RateLimit-Reset-After"))
        if params.response.status == 429:
            retry_after = _float(headers.get("Retry-After"))
            remaining = 0
            is_global = headers.get("X-RateLimit-Global") == "true" or (
                headers.get("X-RateLimit-Scope") == "global"
            )
            if is_global:  # the route's reset says nothing of the global limit
                key, after = GLOBAL_BUCKET, retry_after
            after = after or retry_after or 1.0
            log.info("Discord answered 429 on %s: everyone waits %.1f s", key, after)
        if remaining is None or after is None:
            return
        try:
            await self.store.record_discord(key, int(remaining), now + after)
        except Exception as exc:
            log.warning("rate limit of %s not recorded (%s)", key, type(exc).__name__)
