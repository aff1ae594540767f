"""The summarizing service the bot's doors share: limits, cooldowns, the worker pool.

No discord import: the cogs, the feed poller and the HTTP API all call
`SummaryService.summarize`, which runs the CPU work off the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bot import metrics
from bot.errors import PrecisError
from bot.ingest.feeds import html_to_text
from bot.ingest.fetch import FetchLimits
from bot.models import Article, Summary
from bot.options import Options, resolve_options
from bot.pipeline import Source, TextSource, UrlSource, summarize_source
from bot.workers import Budget, WorkerPool
from config.settings import Settings

log = logging.getLogger("precis.service")


class Busy(PrecisError):
    """Too many summaries at once, or the user is on cooldown; says when to retry."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class Cooldowns:
    """Per-user cooldown: one summary per `seconds` per user."""

    seconds: float
    _last: dict[int, float] = field(default_factory=dict)

    def check(self, user_id: int, now: float | None = None) -> float:
        """Seconds the user must still wait (0 when free); records the use when free."""
        now = time.monotonic() if now is None else now
        if self.seconds <= 0:
            return 0.0
        wait = self._last.get(user_id, -1e18) + self.seconds - now
        if wait > 0:
            return wait
        self._last[user_id] = now
        if len(self._last) > 10_000:  # forget long-expired users
            self._last = {u: t for u, t in self._last.items() if now - t < self.seconds}
        return 0.0


class SummaryService:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.limits = FetchLimits.from_settings(settings)
        self.executor = WorkerPool(
            settings.max_concurrent_summaries,
            Budget(settings.summary_timeout, settings.summary_memory_mb or None),
        )
        self._slots = asyncio.Semaphore(settings.max_concurrent_summaries)
        self.cooldowns = Cooldowns(settings.user_cooldown_seconds)
        self.started = time.time()
        self.made = 0

    def admit(self, user_id: int) -> None:
        """Refuse early (before any work) when the user is on cooldown or we are full."""
        wait = self.cooldowns.check(user_id)
        if wait > 0:
            raise Busy(f"You're going fast! Try again in {wait:.0f} s.", wait)
        if self._slots.locked():
            raise Busy("Précis is busy with other summaries. Try again in 5 s.", 5.0)

    async def summarize(
        self, source: Source, options: Options, *, door: str
    ) -> tuple[Article, Summary]:
        started = time.perf_counter()
        outcome = "error"
        language = page = None
        try:
            async with self._slots:
                result = await summarize_source(
                    source,
                    options,
                    limits=self.limits,
                    max_file_bytes=self.settings.max_file_bytes,
                    executor=self.executor,
                )
            outcome = "ok"
            language, page = result[1].language, result[1].source.url
            self.made += 1
            return result
        except PrecisError:
            outcome = "rejected"
            raise
        finally:
            host = urlsplit(source.url if isinstance(source, UrlSource) else page or "").hostname
            seconds = time.perf_counter() - started
            metrics.summary_done(door, outcome, seconds)
            log.info(
                "summary door=%s host=%s language=%s outcome=%s ms=%.0f",
                door, host, language, outcome, seconds * 1000,
                extra={"event": "summary", "door": door, "host": host, "language": language,
                       "outcome": outcome, "ms": round(seconds * 1000, 1)},
            )  # fmt: skip

    async def summarize_feed_item(
        self, link: str | None, content_html: str | None, sentences: int
    ) -> Summary:
        """The poller's summarizer: the item's page when it has a link, else its own content."""
        if link:
            source: Source = UrlSource(link)
        else:  # the feed's own text (up to MAX_FETCH_BYTES of HTML): off the event loop
            source = TextSource(await asyncio.to_thread(html_to_text, content_html or ""))
        _, summary = await self.summarize(source, self.options(sentences), door="feed")
        return summary

    def options(
        self, sentences: int | None = None, *, server_sentences: int | None = None
    ) -> Options:
        """A request's options, resolved against the server's default (`/precis settings`)
        and the settings (`bot.options.resolve_options`)."""
        return resolve_options(
            sentences,
            server_sentences=server_sentences,
            default_sentences=self.settings.default_sentences,
            algorithm=self.settings.algorithm,
        )

    async def start(self) -> None:
        await self.executor.start()

    def stalled(self) -> bool:
        """Every summary slot stuck past its budget: /healthz reports it (a restart helps)."""
        return self.executor.stalled()

    def close(self) -> None:
        """Kill the workers: a shutdown never waits for a summary."""
        self.executor.close()
