"""Prometheus metrics: the objects, and the small functions the doors call.

Everything lives in one `REGISTRY` of our own (not prometheus_client's global
one), so importing Précis into another program never mixes metrics, and
`GET /metrics` (bot/web/app.py) shows exactly these. No discord import: the bot
counts Discord's 429s through an aiohttp trace config it passes to discord.py
(`Client(http_trace=discord_trace_config())`).

Callers use the functions, never the objects, so label values stay few and
known (a label per user or URL would grow without bound):

    metrics.summary_done("slash", "ok", 0.42)      # SummaryService.summarize
    metrics.feed_polled("failed")                   # Poller._poll
    metrics.track_queue_length(callable)            # the bot, once at start-up
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any

import aiohttp
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)

from bot import __version__

log = logging.getLogger("precis.metrics")

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)  # memory, CPU, open files of this process
PlatformCollector(registry=REGISTRY)  # the Python version

# Label values we expect; anything else is recorded as "other" (bounded cardinality).
DOORS = ("slash", "context-menu", "feed", "api", "cli", "other")
OUTCOMES = ("ok", "rejected", "error")
POLL_RESULTS = ("ok", "not_modified", "failed", "skipped")
RATE_LIMIT_SCOPES = ("user", "global", "shared", "unknown")

BUILD = Info("precis_build", "Version of Précis running", registry=REGISTRY)
BUILD.info({"version": __version__})

SUMMARIES = Counter(
    "precis_summaries",
    "Summaries attempted, by door (slash, context-menu, feed, api) and outcome "
    "(ok, rejected: the input could not be summarized, error: a bug)",
    ["door", "outcome"],
    registry=REGISTRY,
)
SUMMARIZE_SECONDS = Histogram(
    "precis_summarize_seconds",
    "Time to make one summary (fetch + extract + analyse), by door",
    ["door"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60),
    registry=REGISTRY,
)
FEED_POLLS = Counter(
    "precis_feed_polls",
    "Feed polls, by result (ok, not_modified, failed, skipped)",
    ["result"],
    registry=REGISTRY,
)
FEED_POLL_FAILURES = Counter(
    "precis_feed_poll_failures", "Feed polls that failed (fetch or parse)", registry=REGISTRY
)
DELIVERY_QUEUE = Gauge(
    "precis_delivery_queue_length",
    "Feed items waiting to be posted to Discord (read at scrape time)",
    registry=REGISTRY,
)
DISCORD_RATE_LIMITED = Counter(
    "precis_discord_rate_limited",
    "HTTP 429 answers from Discord's REST API, by X-RateLimit-Scope",
    ["scope"],
    registry=REGISTRY,
)
API_REQUESTS = Counter(
    "precis_api_requests",
    "Requests to POST /api/v1/summaries, by HTTP status",
    ["status"],
    registry=REGISTRY,
)

for _door in DOORS:  # export zeros from the start, so rate() works from the first scrape
    for _outcome in OUTCOMES:
        SUMMARIES.labels(_door, _outcome)
for _result in POLL_RESULTS:
    FEED_POLLS.labels(_result)
for _scope in RATE_LIMIT_SCOPES:
    DISCORD_RATE_LIMITED.labels(_scope)


def _known(value: str | None, allowed: tuple[str, ...], fallback: str) -> str:
    return value if value in allowed else fallback


def summary_done(door: str, outcome: str, seconds: float) -> None:
    """One summary finished (SummaryService.summarize's finally-block)."""
    door = _known(door, DOORS, "other")
    SUMMARIES.labels(door, _known(outcome, OUTCOMES, "error")).inc()
    SUMMARIZE_SECONDS.labels(door).observe(max(seconds, 0.0))


def feed_polled(result: str) -> None:
    """One feed poll finished with PollResult.status."""
    result = _known(result, POLL_RESULTS, "failed")
    FEED_POLLS.labels(result).inc()
    if result == "failed":
        FEED_POLL_FAILURES.inc()


def discord_rate_limited(scope: str | None = None) -> None:
    DISCORD_RATE_LIMITED.labels(_known((scope or "").lower(), RATE_LIMIT_SCOPES, "unknown")).inc()


def api_request(status: int) -> None:
    API_REQUESTS.labels(str(status)).inc()


# -- values read when scraped -------------------------------------------------------

QueueLength = Callable[[], int | Awaitable[int]]
_queue_length: QueueLength | None = None
SCRAPE_TIMEOUT = 2.0


def track_queue_length(source: QueueLength | None) -> None:
    """Read the delivery queue length from `source` (sync or async) at each scrape."""
    global _queue_length
    _queue_length = source


async def refresh() -> None:
    """Update the gauges that are read from elsewhere; a failing source keeps the old value."""
    if _queue_length is None:
        return
    try:
        value = _queue_length()
        if inspect.isawaitable(value):
            value = await asyncio.wait_for(value, SCRAPE_TIMEOUT)
        DELIVERY_QUEUE.set(int(value))  # type: ignore[arg-type]
    except Exception as exc:  # a scrape must not fail because the database is slow
        log.debug("delivery queue length unavailable: %s", type(exc).__name__)


async def exposition() -> tuple[bytes, str]:
    """The body and content type of GET /metrics."""
    await refresh()
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def value(name: str, labels: dict[str, str] | None = None) -> float:
    """A sample's current value (0 when absent): for tests and /precis about."""
    return REGISTRY.get_sample_value(name, labels or {}) or 0.0


# -- Discord's 429s, seen through discord.py's aiohttp session ------------------------


def discord_trace_config() -> aiohttp.TraceConfig:
    """Pass to discord.py as `http_trace=`: counts every 429 Discord answers."""

    async def on_request_end(
        _session: aiohttp.ClientSession, _ctx: SimpleNamespace, params: Any
    ) -> None:
        if params.response.status == 429:
            discord_rate_limited(params.response.headers.get("X-RateLimit-Scope"))

    trace = aiohttp.TraceConfig()
    trace.on_request_end.append(on_request_end)
    return trace
