"""The scheduler: polls each due feed once however many channels follow it.

Due feeds are *claimed* (a lease in the database), so two workers never poll one feed at
once; conditional GET, a global and a per-host limit, a jittered schedule and exponential
backoff on failure keep everyone's bandwidth; the per-host limit holds across every
worker sharing the database (bot/feeds/politeness.py). What a poll finds goes to the store
in one transaction (bot/feeds/ingest.py) and wakes the deliverer.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from bot import metrics
from bot.errors import PrecisError, TooLarge
from bot.feeds.politeness import HostSlots
from bot.feeds.rows import FeedRow, FeedState
from bot.feeds.runtime import PollResult, Runtime
from bot.feeds.schema import utcnow
from bot.ingest.feeds import FEED_ACCEPT, NotAFeed, ParsedFeed, discover_feed_links, parse_feed
from bot.ingest.fetch import Fetched, FetchLimits, fetch_url, make_session
from bot.ingest.files import decode_text

log = logging.getLogger("precis.feeds")

Claim = tuple[str, dt.datetime] | None  # (worker, lease expiry) of a claimed poll


class Scheduler:
    def __init__(self, rt: Runtime, limits: FetchLimits, fetch: Any = None) -> None:
        self.rt = rt
        if rt.config.max_feed_bytes:
            limits = replace(limits, max_bytes=rt.config.max_feed_bytes)
        self.limits = limits
        self._fetch_fn = fetch or fetch_url
        self._session: Any = None
        self._global = asyncio.Semaphore(rt.config.global_limit)
        shared = rt.config.shared_limits
        if shared is None:  # several workers share PostgreSQL; SQLite is one process's
            shared = rt.store.engine.dialect.name == "postgresql"
        self.hosts = HostSlots(
            rt.store, rt.config.per_host_limit, rt.config.worker_id,
            shared=shared, lease=limits.timeout + 15,  # a fetch never outlives its timeout
        )  # fmt: skip
        self._feed_locks: dict[str, asyncio.Lock] = {}
        self.polling: dict[int, asyncio.Task[PollResult]] = {}
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="feedparse")
        self.last_tick = 0.0
        self._last_prune = 0.0

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="feedparse")

    def feed_lock(self, url: str) -> asyncio.Lock:
        lock = self._feed_locks.get(url)
        if lock is None:
            lock = self._feed_locks[url] = asyncio.Lock()
        return lock

    def _next_failure(self, now: dt.datetime, failures: int) -> dt.datetime:
        config = self.rt.config
        delay = min(config.backoff_max, config.poll_interval * 2 ** min(max(failures, 1), 20))
        return now + dt.timedelta(seconds=self.rt.jitter(delay))

    # ------------------------------------------------------------------ the loop

    async def run(self) -> None:
        await self.rt.loop(self._step, self.rt.wake_poll, "feed scheduler round")

    async def _step(self) -> float:
        await self._round()
        delay = await self._delay()
        await self._maybe_prune()
        self.last_tick = time.monotonic()  # healthy: the database answered
        return delay

    async def _round(self) -> int:
        # Queue at most a few rounds of work beyond the global limit: the semaphores
        # bound real concurrency, this bounds the tasks waiting on them.
        await self.rt.reclaim()
        config = self.rt.config
        room = config.global_limit * 4 - len(self.polling)
        if room <= 0:
            return 0
        due = await self.rt.store.claim_due_feeds(
            utcnow(), config.worker_id, lease=config.poll_lease, limit=room
        )
        for feed in due:
            task = asyncio.create_task(self.poll(feed, claimed=True), name=f"precis-poll-{feed.id}")
            self.polling[feed.id] = task
            task.add_done_callback(functools.partial(self._poll_done, feed.id))
        return len(due)

    def _poll_done(self, feed_id: int, _task: object = None) -> None:
        self.polling.pop(feed_id, None)
        self.rt.wake_poll.set()

    async def _delay(self) -> float:
        if len(self.polling) >= self.rt.config.global_limit * 4:
            return self.rt.config.idle_wake  # a finishing poll wakes us
        nxt = await self.rt.store.next_poll_at()
        if nxt is None:
            return self.rt.config.idle_wake
        wait = (nxt - utcnow()).total_seconds()
        return min(max(wait, 0.0), self.rt.config.idle_wake)

    async def _maybe_prune(self) -> None:
        if time.monotonic() - self._last_prune < 3600:
            return
        self._last_prune = time.monotonic()
        pruned = await self.rt.commit(
            self.rt.store.prune(utcnow(), keep_days=self.rt.config.item_retention_days)
        )
        if pruned:
            log.info("forgot %d items gone from their feeds", pruned)

    # ------------------------------------------------------------------ polling

    async def poll(
        self, feed: FeedRow, *, quiet: bool = False, claimed: bool = False
    ) -> PollResult:
        """Poll `feed` now; `claimed`: `feed` is this worker's claim, and the outcome is
        recorded only while the claim holds (another worker may have taken it over)."""
        async with self.feed_lock(feed.url):
            fresh = await self.rt.store.get_feed(feed.id)  # state may have moved on meanwhile
            if fresh is None:
                return PollResult(feed.id, "skipped", error="feed removed")
            result = await self._poll_locked(
                fresh, quiet=quiet, claim=feed.claim if claimed else None
            )
            metrics.feed_polled(result.status)
            return result

    def _stale(self, feed: FeedRow) -> PollResult:
        log.info("feed %s: poll not recorded, another worker took its claim over", feed.id)
        return PollResult(feed.id, "skipped", error="claim taken over")

    async def _not_modified(self, feed: FeedRow, quiet: bool, claim: Claim) -> PollResult:
        self.rt.stats.not_modified += 1
        now = utcnow()
        next_poll = self.rt.next_success(now)
        result = await self.rt.commit(
            self.rt.store.record_success(
                feed.id, now=now, next_poll=next_poll, state=None, items=None,
                max_per_poll=self.rt.config.max_items_per_poll, quiet=quiet, claim=claim,
            )
        )  # fmt: skip
        if result.stale:
            return self._stale(feed)
        return PollResult(feed.id, "not_modified", next_poll=next_poll)

    async def _poll_locked(self, feed: FeedRow, *, quiet: bool, claim: Claim) -> PollResult:
        self.rt.stats.polls += 1
        try:
            # The host's slot first: a poll waiting for its host holds no global slot,
            # so the other hosts' feeds go on meanwhile.
            async with self.hosts.hold(feed.host or feed.url), self._global:
                fetched = await self.fetch(
                    feed.url, etag=feed.etag, last_modified=feed.last_modified
                )
            if fetched.not_modified:
                return await self._not_modified(feed, quiet, claim)
            parsed = await self.parse(fetched)
        except PrecisError as exc:
            return await self._failed(feed, str(exc), claim)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug or an unexpected library error: back off all the same
            log.exception("poll of feed %s (%s) failed unexpectedly", feed.id, feed.url)
            return await self._failed(feed, f"unexpected error ({type(exc).__name__})", claim)
        now = utcnow()
        next_poll = self.rt.next_success(now)
        result = await self.rt.commit(
            self.rt.store.record_success(
                feed.id,
                now=now,
                next_poll=next_poll,
                state=FeedState(fetched.etag, fetched.last_modified, parsed.title, parsed.link),
                items=parsed.items,
                max_per_poll=self.rt.config.max_items_per_poll,
                quiet=quiet,
                claim=claim,
            )
        )
        if result.stale:
            return self._stale(feed)
        self.rt.stats.new_items += result.new_items
        if result.queued or result.recovered or result.capped:
            self.rt.wake_deliver.set()
        if result.capped:
            log.info("feed %s flood: capped %s", feed.id, result.capped)
        return PollResult(
            feed.id, "ok", new_items=result.new_items, queued=result.queued, next_poll=next_poll
        )

    async def _failed(self, feed: FeedRow, error: str, claim: Claim = None) -> PollResult:
        self.rt.stats.failures += 1
        now = utcnow()
        next_poll = self._next_failure(now, feed.failure_count + 1)
        result = await self.rt.commit(
            self.rt.store.record_failure(
                feed.id,
                now=now,
                error=error,
                next_poll=next_poll,
                notice_after=self.rt.config.failure_notice_after,
                claim=claim,
            )
        )
        if result.stale:
            return self._stale(feed)
        log.info(
            "feed %s failed (%d in a row), next try %s: %s",
            feed.id, result.failures, next_poll.isoformat(timespec="seconds"), error,
        )  # fmt: skip
        if result.notified:
            self.rt.wake_deliver.set()
        return PollResult(feed.id, "failed", error=error, next_poll=next_poll)

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> Fetched:
        if self._session is None and self._fetch_fn is fetch_url:
            self._session = make_session(self.limits)
        try:
            return await self._fetch_fn(
                url,
                self.limits,
                session=self._session,
                etag=etag,
                last_modified=last_modified,
                accept=FEED_ACCEPT,
            )
        except TooLarge as exc:
            raise TooLarge(f"The feed is too large: {exc}") from None

    async def parse(self, fetched: Fetched) -> ParsedFeed:
        content_type = fetched.content_type
        if content_type and fetched.charset:
            content_type = f"{content_type}; charset={fetched.charset}"
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._executor,
            lambda: parse_feed(fetched.data, url=fetched.url, content_type=content_type),
        )

    async def fetch_feed_or_discover(self, url: str) -> tuple[Fetched, ParsedFeed]:
        fetched = await self.fetch(url)
        try:
            return fetched, await self.parse(fetched)
        except NotAFeed as exc:
            if not exc.is_html:
                raise
        # A page may hold tens of thousands of links: discovery runs off the event loop.
        candidates = await asyncio.get_running_loop().run_in_executor(
            self._executor, _discover, fetched
        )
        if not candidates:
            raise NotAFeed(
                f"I found no feed at {url}: the page does not link to an RSS or Atom feed. "
                "Give me the feed's own address instead."
            )
        problem: PrecisError | None = None
        for candidate in candidates[:4]:
            try:
                found = await self.fetch(candidate)
                return found, await self.parse(found)
            except PrecisError as exc:
                problem = exc
        raise NotAFeed(
            f"{url} links to the feed {candidates[0]}, but I could not read it: {problem}"
        )


def _discover(fetched: Fetched) -> list[str]:
    # The one decoder: a declared charset the page chose (rot13, UTF-7...) is not trusted.
    page = decode_text(fetched.data, declared=fetched.charset, is_html=True)
    return discover_feed_links(page, fetched.url)
