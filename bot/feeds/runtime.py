"""What the scheduler, the deliverer and the feed service share: settings, the sink's
contract, counters, the run loop and the writes that must finish."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import random
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar

from bot.feeds.rows import Delivery, Notice
from bot.feeds.store import Store
from bot.feeds.story_rows import StoryGroup
from bot.models import Summary
from bot.options import DEFAULT_SENTENCES

log = logging.getLogger("precis.feeds")

T = TypeVar("T")

# summarize(link, the item's own content (HTML), sentences) -> Summary; raises PrecisError.
Summarize = Callable[[str | None, str | None, int], Awaitable[Summary]]


@dataclass(frozen=True)
class FeedsConfig:
    """Feed settings; every field has a sensible default (seconds unless said)."""

    poll_interval: float = 300.0
    poll_jitter: float = 0.1  # each interval is stretched or shrunk by up to this fraction
    max_items_per_poll: int = 5  # per subscription; the rest of a flood is marked seen
    max_backlog_items: int = 50  # `/feed add backlog:true` posts at most this many
    default_sentences: int = DEFAULT_SENTENCES  # when neither subscription nor server says
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
    worker_id: str = "main"  # the name this process claims work under (leases)
    poll_lease: float = 600.0  # a claimed feed is this worker's for so long
    delivery_lease: float = 300.0  # a claimed post or notice is this worker's for so long
    story_window: float = 36 * 3600.0  # same-story grouping's window (0: no grouping)
    story_max_items: int = 2_000  # a channel's story index holds at most this many items
    story_channels: int = 256  # channels whose index is kept in memory (rebuilt when needed)
    # Per-host slots kept in the database, for every worker together (None: on PostgreSQL).
    shared_limits: bool | None = None


@dataclass(frozen=True)
class DeliveryResult:
    """What the sink says of one post: sent, retry later, or gone for good."""

    kind: Literal["sent", "retry", "gone"]
    message_id: int | None = None
    after: float = 0.0
    reason: str = ""
    thread_id: int | None = None  # the forum post or thread created (or found)

    @classmethod
    def sent(cls, message_id: int | None = None, *, thread_id: int | None = None) -> DeliveryResult:
        return cls("sent", message_id=message_id, thread_id=thread_id)

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

    async def notify(self, notice: Notice) -> DeliveryResult:
        """Tell a channel (or, when it is gone, the server) something about its feeds."""
        ...

    async def create_forum_post(
        self, delivery: Delivery, summary: Summary, name: str
    ) -> DeliveryResult:
        """Create a post named `name` in the forum `delivery.channel_id` (tag
        `delivery.tag_id`), the summary as its first message; sent with its thread id."""
        ...

    async def own_forum_posts(
        self, delivery: Delivery, name: str, since: dt.datetime
    ) -> list[int] | DeliveryResult:
        """Ids of the forum's active posts that this bot created, named `name`, since
        `since`; a DeliveryResult (retry, gone) when they cannot be listed."""
        ...

    async def start_thread(self, delivery: Delivery, message_id: int, name: str) -> DeliveryResult:
        """Start a thread named `name` on a posted message; a message that has one
        already counts as done."""
        ...

    async def add_to_story(self, delivery: Delivery, group: StoryGroup) -> DeliveryResult:
        """Show the group's outlets on its first post ("Also covered by"), or, when that
        post cannot be edited, reply to it (with `delivery.nonce`): sent, with the reply's
        id when there is one."""
        ...

    def digest_pages(self, content: dict[str, Any]) -> list[Any]:
        """A digest's stories as messages within Discord's limits: the same pages for
        the same content, every time (a repeat resumes at the first page not sent)."""
        ...

    async def post_digest_page(self, channel_id: int, page: Any, nonce: str) -> DeliveryResult:
        """Post one page of a digest; send `nonce` with enforce_nonce=True."""
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
class FeedStats:
    polls: int = 0
    not_modified: int = 0
    failures: int = 0
    new_items: int = 0
    delivered: int = 0
    retries: int = 0
    gone: int = 0
    notices: int = 0
    fallbacks: int = 0  # items summarized from the feed's own content
    skipped: int = 0  # items not posted: a language the server does not allow
    digests: int = 0  # digest periods posted
    started: float = field(default_factory=time.time)


class Runtime:
    """The state the loops share: the store, settings, counters, wake-ups, stopping."""

    def __init__(self, store: Store, config: FeedsConfig) -> None:
        self.store = store
        self.config = config
        self.stats = FeedStats()
        self.stopping = False
        self.wake_poll = asyncio.Event()
        self.wake_deliver = asyncio.Event()
        self._writes: set[asyncio.Task[Any]] = set()
        self._reclaimed = False

    async def reclaim(self) -> None:
        """Once per process: leases held under this worker's name are from before a restart
        (a crash, SIGKILL) — take that work back now rather than when they expire."""
        if self._reclaimed:
            return
        self._reclaimed = True
        released = await self.store.release_leases(self.config.worker_id)
        if released:
            log.info("took back %d claims from before the restart", released)

    def jitter(self, seconds: float) -> float:
        j = max(0.0, min(self.config.poll_jitter, 0.9))
        return seconds * random.uniform(1 - j, 1 + j)

    def next_success(self, now: dt.datetime) -> dt.datetime:
        return now + dt.timedelta(seconds=self.jitter(self.config.poll_interval))

    def retry_delay(self, attempts: int) -> float:
        base = self.config.delivery_retry_base * 2 ** min(max(attempts - 1, 0), 20)
        return min(self.config.delivery_retry_max, base)

    async def commit(self, work: Coroutine[Any, Any, T]) -> T:
        """Run a database write to its end even if the caller is cancelled (stop())."""
        task = asyncio.ensure_future(work)
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)
        return await asyncio.shield(task)

    async def finish_writes(self) -> None:
        if self._writes:  # commits already under way always complete
            await asyncio.wait(list(self._writes), timeout=max(self.config.stop_timeout, 10.0))

    async def loop(
        self, step: Callable[[], Awaitable[float]], wake: asyncio.Event, what: str
    ) -> None:
        """Run `step` until stopped; sleep the delay it returns or until `wake`
        is set. A failing step is logged and retried shortly, never fatal."""
        while not self.stopping:
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


async def guarded(call: Awaitable[DeliveryResult], what: str) -> DeliveryResult:
    """The sink's answer; a sink that raises (a bug, an answer it did not expect) is
    logged and its post or notice retried later, and the feeds go on."""
    try:
        return await call
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        log.exception("sink failed on %s", what)
        return DeliveryResult.retry(0, f"sink error: {type(exc).__name__}")
