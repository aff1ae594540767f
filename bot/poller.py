"""Feed scheduling and delivery: polls feeds, queues new items, hands Summaries to a sink.

No discord import. The bot gives the poller three things:

* a `Store` (the database: subscriptions, feed state, seen items, the queue);
* `summarize(link, fallback_html, feed_title, sentences) -> Summary`, which wraps
  the pipeline and raises `PrecisError` when it cannot summarize;
* a `Sink` that posts (`deliver`) and tells channels things (`notify`), answering
  with a `DeliveryResult`: sent, retry later, or gone.

Two loops run: the scheduler polls each due feed once however many channels
follow it (conditional GET, a global and a per-host limit, jittered schedule,
exponential backoff on failure), and the deliverer drains the queue in the
database — each subscription's items oldest first, an item marked delivered
only once the sink said it was sent. Both are restart-safe: the database is
the only state, and the nonce derived from (subscription, item) makes a repeat
send after a crash a no-op on Discord's side.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import logging
import random
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol, TypeVar

from bot import metrics
from bot.errors import InputError, PrecisError, TooLarge
from bot.ingest.feeds import (
    FEED_ACCEPT,
    FeedItem,
    NotAFeed,
    ParsedFeed,
    discover_feed_links,
    html_to_text,
    parse_feed,
)
from bot.ingest.fetch import Fetched, FetchLimits, fetch_url, make_session
from bot.models import SourceInfo, Stats, Summary
from bot.store import (
    DROPPED,
    PENDING,
    SENT,
    AlreadySubscribed,
    Delivery,
    FeedRow,
    FeedState,
    Notice,
    Store,
    Subscription,
    utcnow,
)

log = logging.getLogger("precis.poller")

T = TypeVar("T")

Summarize = Callable[[str | None, str | None, str, int], Awaitable[Summary]]
FetchFn = Callable[..., Awaitable[Fetched]]


@dataclass(frozen=True)
class PollerConfig:
    """Poller settings; every field has a sensible default (seconds unless said)."""

    poll_interval: float = 300.0
    poll_jitter: float = 0.1  # each interval is stretched or shrunk by up to this fraction
    max_items_per_poll: int = 5  # per subscription; the rest of a flood is marked seen
    max_backlog_items: int = 50  # `/feed add backlog:true` posts at most this many
    failure_notice_after: int = 3  # consecutive failures before the channel is told
    per_host_limit: int = 2
    global_limit: int = 10
    backoff_max: float = 6 * 3600.0
    delivery_retry_base: float = 30.0  # first retry delay; doubles each attempt
    delivery_retry_max: float = 3600.0
    delivery_max_attempts: int = 50  # then the post is given up (marked failed)
    delivery_concurrency: int = 5  # channels posted to at once
    max_feed_bytes: int | None = None  # default: the fetch limit (MAX_FETCH_BYTES)
    item_retention_days: float = 90.0
    stop_timeout: float = 5.0  # how long stop() lets in-flight work finish
    idle_wake: float = 5.0  # longest sleep of a loop when it has nothing to do


@dataclass(frozen=True)
class DeliveryResult:
    """What the sink says of one post: sent, retry later, or gone for good."""

    kind: Literal["sent", "retry", "gone"]
    message_id: int | None = None
    after: float = 0.0
    reason: str = ""

    @classmethod
    def sent(cls, message_id: int | None = None) -> DeliveryResult:
        return cls("sent", message_id=message_id)

    @classmethod
    def retry(cls, after: float, reason: str) -> DeliveryResult:
        """Discord is down, answered 5xx or 429: try again in at least `after` seconds."""
        return cls("retry", after=max(0.0, after), reason=reason)

    @classmethod
    def gone(cls, reason: str) -> DeliveryResult:
        """The channel is deleted or the bot lost permission: the subscription is paused."""
        return cls("gone", reason=reason)


class Sink(Protocol):
    async def deliver(self, delivery: Delivery, summary: Summary) -> DeliveryResult:
        """Post one item. Send `delivery.nonce` with enforce_nonce=True."""
        ...

    async def notify(self, guild_id: int, channel_id: int, text: str) -> DeliveryResult:
        """Tell a channel (or, when it is gone, the server) something about its feeds."""
        ...


@dataclass(frozen=True)
class PollResult:
    feed_id: int
    status: Literal["ok", "not_modified", "failed", "skipped"]
    new_items: int = 0
    queued: int = 0
    error: str | None = None
    next_poll: dt.datetime | None = None


@dataclass
class PollerStats:
    polls: int = 0
    not_modified: int = 0
    failures: int = 0
    new_items: int = 0
    delivered: int = 0
    retries: int = 0
    gone: int = 0
    notices: int = 0
    fallbacks: int = 0  # items summarized from the feed's own content
    started: float = field(default_factory=time.time)


async def _guarded(call: Awaitable[DeliveryResult], what: str) -> DeliveryResult:
    """The sink's answer; a sink that raises (a bug, an answer it did not expect) is
    logged and its post or notice retried later, and the poller goes on."""
    try:
        return await call
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        log.exception("sink failed on %s", what)
        return DeliveryResult.retry(0, f"sink error: {type(exc).__name__}")


class Poller:
    def __init__(
        self,
        store: Store,
        summarize: Summarize,
        sink: Sink,
        config: PollerConfig | None = None,
        *,
        limits: FetchLimits | None = None,
        fetch: FetchFn | None = None,
    ) -> None:
        self.store = store
        self.summarize = summarize
        self.sink = sink
        self.config = config or PollerConfig()
        if limits is None:
            from config.settings import get_settings

            limits = FetchLimits.from_settings(get_settings())
        if self.config.max_feed_bytes:
            limits = replace(limits, max_bytes=self.config.max_feed_bytes)
        self.limits = limits
        self._fetch_fn: FetchFn = fetch or fetch_url
        self._session: Any = None
        self._global = asyncio.Semaphore(self.config.global_limit)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._feed_locks: dict[str, asyncio.Lock] = {}
        self._polling: dict[int, asyncio.Task[PollResult]] = {}
        self._delivering: dict[int, asyncio.Task[None]] = {}
        self._deliver_slots = asyncio.Semaphore(self.config.delivery_concurrency)
        self._writes: set[asyncio.Task[Any]] = set()
        self._loops: list[asyncio.Task[None]] = []
        self._wake_poll = asyncio.Event()
        self._wake_deliver = asyncio.Event()
        self._summaries: OrderedDict[tuple[int, int], Summary] = OrderedDict()
        self._summary_locks: dict[tuple[int, int], asyncio.Lock] = {}
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="feedparse")
        self._stopping = False
        self._last_tick = 0.0
        self._last_prune = 0.0
        self.stats = PollerStats()

    # ------------------------------------------------------------------ lifecycle

    @property
    def running(self) -> bool:
        return bool(self._loops) and not self._stopping

    @property
    def healthy(self) -> bool:
        """Running, both loops alive, and the scheduler went round recently."""
        if not self.running or any(task.done() for task in self._loops):
            return False
        return time.monotonic() - self._last_tick < max(60.0, 4 * self.config.idle_wake)

    async def start(self) -> None:
        if self._loops:
            return
        self._stopping = False
        self._last_tick = time.monotonic()
        self._loops = [
            asyncio.create_task(self._schedule_loop(), name="precis-feed-scheduler"),
            asyncio.create_task(self._deliver_loop(), name="precis-feed-deliverer"),
        ]
        log.info("feed poller started (interval %.0f s)", self.config.poll_interval)

    async def stop(self) -> None:
        """Stop quickly: let in-flight polls and posts finish for up to `stop_timeout`, then
        abandon them. Nothing queued is lost — it is in the database, and a post abandoned
        mid-send is repeated with the same nonce on the next start."""
        self._stopping = True
        for task in self._loops:
            task.cancel()
        await asyncio.gather(*self._loops, return_exceptions=True)
        self._loops = []
        busy: list[asyncio.Task[Any]] = [*self._polling.values(), *self._delivering.values()]
        if busy:
            _, pending = await asyncio.wait(busy, timeout=self.config.stop_timeout)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        if self._writes:  # commits already under way always complete
            await asyncio.wait(list(self._writes), timeout=max(self.config.stop_timeout, 10.0))
        if self._session is not None:
            await self._session.close()
            self._session = None
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="feedparse")
        log.info("feed poller stopped")

    # ------------------------------------------------------------------ commands

    async def add_subscription(
        self,
        url: str,
        guild_id: int,
        channel_id: int,
        *,
        sentences: int = 3,
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
        backlog: bool = False,
        created_by: int | None = None,
    ) -> tuple[Subscription, str, int]:
        """Validate (or discover from a page) the feed now and subscribe the channel.

        Returns the subscription, the feed's title and how many items it has. Only
        the newest item is queued (or, with `backlog`, up to `max_backlog_items`):
        the rest are marked seen. Raises `PrecisError` with a message for the user.
        """
        url = _normalize_url(url)
        known = await self.store.get_feed_by_url(url)
        if known is not None:
            for sub in await self.store.list_subscriptions(feed_id=known.id):
                if sub.channel_id == channel_id:
                    raise AlreadySubscribed(
                        f"<#{channel_id}> already follows {known.title} (subscription {sub.id})."
                    )
        fetched, parsed = await self._fetch_feed_or_discover(url)
        now = utcnow()
        async with self._feed_lock(fetched.url):
            sub = await self._commit(
                self.store.add_subscription(
                    feed_url=fetched.url,
                    feed_title=parsed.title,
                    site_link=parsed.link,
                    state=FeedState(fetched.etag, fetched.last_modified),
                    items_now=parsed.items,
                    guild_id=guild_id,
                    channel_id=channel_id,
                    sentences=sentences,
                    include=[w.strip() for w in include if w.strip()],
                    exclude=[w.strip() for w in exclude if w.strip()],
                    backlog=backlog,
                    max_backlog=self.config.max_backlog_items,
                    max_per_poll=self.config.max_items_per_poll,
                    now=now,
                    next_poll=self._next_success(now),
                    created_by=created_by,
                )
            )
        self._wake_deliver.set()
        self._wake_poll.set()
        return sub, parsed.title, len(parsed.items)

    async def remove_subscription(
        self, subscription_id: int, *, guild_id: int | None = None
    ) -> Subscription | None:
        return await self.store.remove_subscription(subscription_id, guild_id=guild_id)

    async def pause_subscription(
        self, subscription_id: int, *, guild_id: int | None = None, reason: str | None = None
    ) -> Subscription | None:
        return await self.store.pause_subscription(
            subscription_id, reason or "paused with /feed pause", guild_id=guild_id
        )

    async def resume_subscription(
        self, subscription_id: int, *, guild_id: int | None = None
    ) -> Subscription | None:
        """Resume. When nobody else followed the feed meanwhile (so it was not polled),
        it is first polled quietly: what appeared during the pause is marked seen
        rather than posted as a flood. Posts queued before the pause go out."""
        sub = await self.store.get_subscription(subscription_id, guild_id=guild_id)
        if sub is None or not sub.paused:
            return sub
        if not await self.store.has_active_subscription(sub.feed_id):
            feed = await self.store.get_feed(sub.feed_id)
            if feed is not None:
                result = await self._poll(feed, quiet=True)
                log.info("quiet catch-up of feed %s: %s", feed.id, result.status)
        sub = await self.store.resume_subscription(subscription_id, guild_id=guild_id)
        self._wake_deliver.set()
        self._wake_poll.set()
        return sub

    async def poll_now(self, feed_id: int) -> PollResult:
        """Poll one feed now, whatever its schedule (tests, admin commands)."""
        feed = await self.store.get_feed(feed_id)
        if feed is None:
            return PollResult(feed_id, "skipped", error="no such feed")
        return await self._poll(feed)

    async def preview(
        self, subscription_id: int, *, guild_id: int | None = None
    ) -> tuple[FeedItem, Summary]:
        """`/feed test`: the feed's latest item and its summary, changing nothing."""
        sub = await self.store.get_subscription(subscription_id, guild_id=guild_id)
        if sub is None:
            raise InputError("There is no such feed subscription in this server.")
        fetched = await self._fetch(sub.feed_url)
        parsed = await self._parse(fetched)
        item = parsed.newest
        if item is None:
            raise InputError(f"The feed {parsed.title} has no items yet.")
        summary = await self._summarize_item(
            item.link, item.summary_html, item.title, item.published, parsed.title, sub.sentences
        )
        return item, summary

    async def run_deliveries(self) -> int:
        """Process every delivery and notice due now and wait for them (tests, tools)."""
        done = 0
        while True:
            spawned = await self._deliver_round()
            busy = list(self._delivering.values())
            if busy:
                await asyncio.gather(*busy, return_exceptions=True)
            done += spawned
            if not spawned:
                return done

    # ------------------------------------------------------------------ scheduling

    def _feed_lock(self, url: str) -> asyncio.Lock:
        lock = self._feed_locks.get(url)
        if lock is None:
            lock = self._feed_locks[url] = asyncio.Lock()
        return lock

    def _host_slot(self, host: str) -> asyncio.Semaphore:
        slot = self._hosts.get(host)
        if slot is None:
            slot = self._hosts[host] = asyncio.Semaphore(self.config.per_host_limit)
        return slot

    def _jitter(self, seconds: float) -> float:
        j = max(0.0, min(self.config.poll_jitter, 0.9))
        return seconds * random.uniform(1 - j, 1 + j)

    def _next_success(self, now: dt.datetime) -> dt.datetime:
        return now + dt.timedelta(seconds=self._jitter(self.config.poll_interval))

    def _next_failure(self, now: dt.datetime, failures: int) -> dt.datetime:
        delay = min(
            self.config.backoff_max, self.config.poll_interval * 2 ** min(max(failures, 1), 20)
        )
        return now + dt.timedelta(seconds=self._jitter(delay))

    async def _loop(
        self, step: Callable[[], Awaitable[float]], wake: asyncio.Event, what: str
    ) -> None:
        """Run `step` until stopped; sleep the delay it returns or until `wake`
        is set. A failing step is logged and retried shortly, never fatal."""
        while not self._stopping:
            try:
                delay = await step()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("%s failed; retrying shortly", what)
                delay = self.config.idle_wake
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=delay)
            wake.clear()

    async def _schedule_loop(self) -> None:
        await self._loop(self._schedule_step, self._wake_poll, "feed scheduler round")

    async def _schedule_step(self) -> float:
        await self._schedule_round()
        delay = await self._schedule_delay()
        await self._maybe_prune()
        self._last_tick = time.monotonic()  # healthy: the database answered
        return delay

    async def _schedule_round(self) -> int:
        # Queue at most a few rounds of work beyond the global limit: the semaphores
        # bound real concurrency, this bounds the tasks waiting on them.
        room = self.config.global_limit * 4 - len(self._polling)
        if room <= 0:
            return 0
        due = await self.store.due_feeds(utcnow(), room, exclude=set(self._polling))
        for feed in due:
            task = asyncio.create_task(self._poll(feed), name=f"precis-poll-{feed.id}")
            self._polling[feed.id] = task
            task.add_done_callback(functools.partial(self._poll_done, feed.id))
        return len(due)

    def _poll_done(self, feed_id: int, _task: object = None) -> None:
        self._polling.pop(feed_id, None)
        self._wake_poll.set()

    async def _schedule_delay(self) -> float:
        if len(self._polling) >= self.config.global_limit * 4:
            return self.config.idle_wake  # a finishing poll wakes us
        nxt = await self.store.next_poll_at(exclude=set(self._polling))
        if nxt is None:
            return self.config.idle_wake
        wait = (nxt - utcnow()).total_seconds()
        return min(max(wait, 0.0), self.config.idle_wake)

    async def _maybe_prune(self) -> None:
        if time.monotonic() - self._last_prune < 3600:
            return
        self._last_prune = time.monotonic()
        pruned = await self._commit(
            self.store.prune(utcnow(), keep_days=self.config.item_retention_days)
        )
        if pruned:
            log.info("forgot %d items gone from their feeds", pruned)

    # ------------------------------------------------------------------ polling

    async def _poll(self, feed: FeedRow, *, quiet: bool = False) -> PollResult:
        async with self._feed_lock(feed.url):
            fresh = await self.store.get_feed(feed.id)  # state may have moved on meanwhile
            if fresh is None:
                return PollResult(feed.id, "skipped", error="feed removed")
            result = await self._poll_locked(fresh, quiet=quiet)
            metrics.feed_polled(result.status)
            return result

    async def _poll_locked(self, feed: FeedRow, *, quiet: bool) -> PollResult:
        self.stats.polls += 1
        try:
            async with self._global, self._host_slot(feed.host or feed.url):
                fetched = await self._fetch(
                    feed.url, etag=feed.etag, last_modified=feed.last_modified
                )
            if fetched.not_modified:
                self.stats.not_modified += 1
                now = utcnow()
                next_poll = self._next_success(now)
                await self._commit(
                    self.store.record_success(
                        feed.id, now=now, next_poll=next_poll, state=None, items=None,
                        max_per_poll=self.config.max_items_per_poll, quiet=quiet,
                    )
                )  # fmt: skip
                return PollResult(feed.id, "not_modified", next_poll=next_poll)
            parsed = await self._parse(fetched)
        except PrecisError as exc:
            return await self._failed(feed, str(exc))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug or an unexpected library error: back off all the same
            log.exception("poll of feed %s (%s) failed unexpectedly", feed.id, feed.url)
            return await self._failed(feed, f"unexpected error ({type(exc).__name__})")
        now = utcnow()
        next_poll = self._next_success(now)
        result = await self._commit(
            self.store.record_success(
                feed.id,
                now=now,
                next_poll=next_poll,
                state=FeedState(fetched.etag, fetched.last_modified, parsed.title, parsed.link),
                items=parsed.items,
                max_per_poll=self.config.max_items_per_poll,
                quiet=quiet,
            )
        )
        self.stats.new_items += result.new_items
        if result.queued or result.recovered or result.capped:
            self._wake_deliver.set()
        if result.capped:
            log.info("feed %s flood: capped %s", feed.id, result.capped)
        return PollResult(
            feed.id, "ok", new_items=result.new_items, queued=result.queued, next_poll=next_poll
        )

    async def _failed(self, feed: FeedRow, error: str) -> PollResult:
        self.stats.failures += 1
        now = utcnow()
        next_poll = self._next_failure(now, feed.failure_count + 1)
        result = await self._commit(
            self.store.record_failure(
                feed.id,
                now=now,
                error=error,
                next_poll=next_poll,
                notice_after=self.config.failure_notice_after,
            )
        )
        log.info(
            "feed %s failed (%d in a row), next try %s: %s",
            feed.id, result.failures, next_poll.isoformat(timespec="seconds"), error,
        )  # fmt: skip
        if result.notified:
            self._wake_deliver.set()
        return PollResult(feed.id, "failed", error=error, next_poll=next_poll)

    async def _fetch(
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

    async def _parse(self, fetched: Fetched) -> ParsedFeed:
        content_type = fetched.content_type
        if content_type and fetched.charset:
            content_type = f"{content_type}; charset={fetched.charset}"
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._executor,
            lambda: parse_feed(fetched.data, url=fetched.url, content_type=content_type),
        )

    async def _fetch_feed_or_discover(self, url: str) -> tuple[Fetched, ParsedFeed]:
        fetched = await self._fetch(url)
        try:
            return fetched, await self._parse(fetched)
        except NotAFeed as exc:
            if not exc.is_html:
                raise
            page = fetched.data.decode(fetched.charset or "utf-8", errors="replace")
        candidates = discover_feed_links(page, fetched.url)
        if not candidates:
            raise NotAFeed(
                f"I found no feed at {url}: the page does not link to an RSS or Atom feed. "
                "Give me the feed's own address instead."
            )
        problem: PrecisError | None = None
        for candidate in candidates[:4]:
            try:
                found = await self._fetch(candidate)
                return found, await self._parse(found)
            except PrecisError as exc:
                problem = exc
        raise NotAFeed(
            f"{url} links to the feed {candidates[0]}, but I could not read it: {problem}"
        )

    # ------------------------------------------------------------------ delivering

    async def _deliver_loop(self) -> None:
        await self._loop(self._deliver_step, self._wake_deliver, "delivery round")

    async def _deliver_step(self) -> float:
        await self._deliver_round()
        return await self._deliver_delay()

    async def _deliver_delay(self) -> float:
        nxt = await self.store.next_delivery_at()
        if nxt is None:
            return self.config.idle_wake
        wait = (nxt - utcnow()).total_seconds()
        if wait <= 0:  # due but its channel is busy: a finishing worker wakes us
            return self.config.idle_wake
        return min(wait, self.config.idle_wake)

    async def _deliver_round(self) -> int:
        """Start a worker per subscription with due posts (none while one is running)."""
        now = utcnow()
        spawned = 0
        due_notices = await self.store.due_notices(now)
        for notice in due_notices:
            if self._stopping:
                break
            await self._send_notice(notice)
            spawned += 1
        due = await self.store.due_deliveries(now, limit=500)
        groups: dict[int, list[Delivery]] = {}
        for d in due:
            if d.subscription_id not in self._delivering:
                groups.setdefault(d.subscription_id, []).append(d)
        for sub_id, batch in groups.items():
            task = asyncio.create_task(self._deliver_batch(batch), name=f"precis-deliver-{sub_id}")
            self._delivering[sub_id] = task
            task.add_done_callback(functools.partial(self._deliver_done, sub_id))
            spawned += len(batch)
        return spawned

    def _deliver_done(self, subscription_id: int, _task: object = None) -> None:
        self._delivering.pop(subscription_id, None)
        self._wake_deliver.set()

    async def _deliver_batch(self, batch: list[Delivery]) -> None:
        async with self._deliver_slots:
            for delivery in batch:
                if self._stopping:
                    return
                try:
                    if not await self._deliver_one(delivery):
                        return  # keep order: later items wait for this one
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("delivery %s failed unexpectedly", delivery.id)
                    return

    async def _deliver_one(self, delivery: Delivery) -> bool:
        """Post one item; True when the next item of the subscription may follow."""
        summary = await self._summary_for(delivery)
        result = await _guarded(self.sink.deliver(delivery, summary), f"delivery {delivery.id}")
        now = utcnow()
        if result.kind == "sent":
            await self._commit(self.store.mark_sent(delivery.id, result.message_id, now))
            self.stats.delivered += 1
            return True
        if result.kind == "gone":
            self.stats.gone += 1
            log.info("subscription %s paused: %s", delivery.subscription_id, result.reason)
            await self._commit(
                self.store.pause_subscription(
                    delivery.subscription_id, result.reason, now=now, notify=True
                )
            )
            self._wake_deliver.set()
            return False
        self.stats.retries += 1
        attempts = delivery.attempts + 1
        if self.config.delivery_max_attempts and attempts >= self.config.delivery_max_attempts:
            log.warning(
                "giving up delivery %s after %d attempts: %s", delivery.id, attempts, result.reason
            )
            await self._commit(
                self.store.mark_failed(delivery.id, f"gave up after {attempts}: {result.reason}")
            )
            return True
        delay = max(result.after, self._retry_delay(attempts))
        await self._commit(
            self.store.mark_retry(delivery.id, now + dt.timedelta(seconds=delay), result.reason)
        )
        return False

    def _retry_delay(self, attempts: int) -> float:
        base = self.config.delivery_retry_base * 2 ** min(max(attempts - 1, 0), 20)
        return min(self.config.delivery_retry_max, base)

    async def _send_notice(self, notice: Notice) -> None:
        result = await _guarded(
            self.sink.notify(notice.guild_id, notice.channel_id, notice.text), f"notice {notice.id}"
        )
        now = utcnow()
        if result.kind == "sent":
            self.stats.notices += 1
            await self._commit(self.store.mark_notice(notice.id, SENT, now=now))
        elif result.kind == "gone" or notice.attempts + 1 >= self.config.delivery_max_attempts:
            await self._commit(
                self.store.mark_notice(notice.id, DROPPED, now=now, error=result.reason)
            )
        else:
            delay = max(result.after, self._retry_delay(notice.attempts + 1))
            await self._commit(
                self.store.mark_notice(
                    notice.id, PENDING, now=now, error=result.reason,
                    next_attempt=now + dt.timedelta(seconds=delay),
                )
            )  # fmt: skip

    async def _summary_for(self, delivery: Delivery) -> Summary:
        cache_key = (delivery.item.id, delivery.sentences)
        cached = self._summaries.get(cache_key)
        if cached is not None:
            return cached
        # Channels following the same feed get the item at the same moment: one fetch and
        # one summary for all of them, not one each.
        lock = self._summary_locks.setdefault(cache_key, asyncio.Lock())
        try:
            async with lock:
                cached = self._summaries.get(cache_key)
                if cached is not None:
                    return cached
                item = delivery.item
                summary = await self._summarize_item(
                    item.link, item.summary_html, item.title, item.published,
                    delivery.feed_title, delivery.sentences,
                )  # fmt: skip
                self._summaries[cache_key] = summary
                while len(self._summaries) > 512:  # kept a while: other channels may want it
                    self._summaries.popitem(last=False)
                return summary
        finally:
            if not lock.locked():
                self._summary_locks.pop(cache_key, None)

    async def _summarize_item(
        self,
        link: str | None,
        content_html: str | None,
        title: str | None,
        published: dt.datetime | None,
        feed_title: str,
        sentences: int,
    ) -> Summary:
        """The linked page; else the feed's own content; else a plain title-and-text post."""
        attempts: list[tuple[str | None, str | None]] = []
        if link:
            attempts.append((link, content_html))
        if content_html:
            attempts.append((None, content_html))
        for target, fallback in attempts:
            try:
                summary = await self.summarize(target, fallback, feed_title, sentences)
                if target is None:
                    self.stats.fallbacks += 1
                return summary
            except PrecisError as exc:
                log.info("summary of %s failed: %s", target or "feed content", exc)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("summarize crashed on %s", target or "feed content")
        self.stats.fallbacks += 1
        return plain_summary(title, content_html, link, published, feed_title, sentences)

    async def _commit(self, work: Coroutine[Any, Any, T]) -> T:
        """Run a database write to its end even if the caller is cancelled (stop())."""
        task = asyncio.ensure_future(work)
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)
        return await asyncio.shield(task)


def plain_summary(
    title: str | None,
    content_html: str | None,
    link: str | None,
    published: dt.datetime | None,
    feed_title: str,
    sentences: int,
) -> Summary:
    """A post made of the item's own words when nothing could be summarized."""
    text = html_to_text(content_html or "")
    lines = [p for p in text.split("\n\n") if p.strip()][: max(1, sentences)]
    body = [line if len(line) <= 600 else line[:597].rstrip() + "…" for line in lines]
    words = len(text.split())
    shown = sum(len(line.split()) for line in body)
    return Summary(
        title=title or feed_title,
        language="und",
        source=SourceInfo(
            name=feed_title, url=link, published=published.date() if published else None
        ),
        summary=body,
        entities=[],
        stats=Stats(
            words=words,
            sentences=len(lines),
            summary_words=shown,
            reduction=round(1 - shown / words, 4) if words else 0.0,
        ),
        algorithm="feed",
    )


def _normalize_url(url: str) -> str:
    url = url.strip().strip("<>")
    if not url:
        raise InputError("Give me the address of a feed or of a site that has one.")
    if "://" not in url:
        url = "https://" + url
    return url
