"""The feeds package's one door: what the cogs, the bot and the tools call.

No discord import. The bot gives it three things: the `Store`; `summarize(link,
content_html, sentences) -> Summary`, which wraps the pipeline and raises `PrecisError`
when it cannot summarize; and a `Sink` that posts (`deliver`) and tells channels things
(`notify`), answering sent, retry later, or gone. Three loops run — the scheduler
(bot/feeds/scheduler.py), the deliverer (bot/feeds/deliverer.py) and the digests
(bot/feeds/digests.py) — all restart-safe:
the database is the only state, and work is claimed there with leases.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.errors import InputError
from bot.feeds.deliverer import Deliverer
from bot.feeds.digests import DigestDoor, Digester
from bot.feeds.filters import (
    Filter,
    combined,
    item_fields,
    keywords_expression,
    parse,
    with_summary,
)
from bot.feeds.items import ItemSummaries
from bot.feeds.rows import ON_CHANNEL, AlreadySubscribed, FeedState, Placement, Subscription
from bot.feeds.runtime import FeedsConfig, PollResult, Runtime, Sink, Summarize
from bot.feeds.scheduler import Scheduler
from bot.feeds.schema import utcnow
from bot.feeds.store import Store
from bot.ingest.feeds import FeedItem, html_to_text
from bot.ingest.fetch import FetchLimits
from bot.models import Summary
from bot.options import check_sentences, resolve_sentences

log = logging.getLogger("precis.feeds")


class FeedService:
    def __init__(
        self,
        store: Store,
        summarize: Summarize,
        sink: Sink,
        config: FeedsConfig | None = None,
        *,
        limits: FetchLimits | None = None,
        fetch: Any = None,
    ) -> None:
        self.store = store
        self.config = config or FeedsConfig()
        if limits is None:
            from config.settings import get_settings

            limits = FetchLimits.from_settings(get_settings())
        self.rt = Runtime(store, self.config)
        self.stats = self.rt.stats
        self.items = ItemSummaries(summarize, self.rt.stats, self.config.default_sentences)
        self.scheduler = Scheduler(self.rt, limits, fetch)
        self.deliverer = Deliverer(self.rt, sink, self.items)
        self.digester = Digester(self.rt, sink, self.items)
        self.digests = DigestDoor(self.digester)  # `/digest`: add, list, remove, preview
        self._loops: list[asyncio.Task[None]] = []

    # ------------------------------------------------------------------ lifecycle

    @property
    def running(self) -> bool:
        return bool(self._loops) and not self.rt.stopping

    @property
    def healthy(self) -> bool:
        """Running, both loops alive, and the scheduler went round recently."""
        if not self.running or any(task.done() for task in self._loops):
            return False
        idle = time.monotonic() - self.scheduler.last_tick
        return idle < max(60.0, 4 * self.config.idle_wake)

    async def start(self) -> None:
        if self._loops:
            return
        self.rt.stopping = False
        await self.rt.reclaim()
        self.scheduler.last_tick = time.monotonic()
        self._loops = [
            asyncio.create_task(self.scheduler.run(), name="precis-feed-scheduler"),
            asyncio.create_task(self.deliverer.run(), name="precis-feed-deliverer"),
            asyncio.create_task(self.digester.run(), name="precis-digests"),
        ]
        log.info("feed poller started (interval %.0f s)", self.config.poll_interval)

    async def stop(self) -> None:
        """Stop quickly: let in-flight polls and posts finish for up to `stop_timeout`, then
        abandon them. Nothing queued is lost — it is in the database, and a post abandoned
        mid-send is repeated with the same nonce on the next start."""
        self.rt.stopping = True
        for task in self._loops:
            task.cancel()
        await asyncio.gather(*self._loops, return_exceptions=True)
        self._loops = []
        busy: list[asyncio.Task[Any]] = [
            *self.scheduler.polling.values(), *self.deliverer.delivering.values()
        ]
        if self.digester.posting is not None:
            busy.append(self.digester.posting)
        if busy:
            _, pending = await asyncio.wait(busy, timeout=self.config.stop_timeout)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        await self.rt.finish_writes()
        await self.scheduler.close()
        log.info("feed poller stopped")

    # ------------------------------------------------------------------ reading

    async def list_subscriptions(self, **where: Any) -> list[Subscription]:
        return await self.store.list_subscriptions(**where)

    async def get_subscription(
        self, subscription_id: int, *, guild_id: int | None = None
    ) -> Subscription | None:
        return await self.store.get_subscription(subscription_id, guild_id=guild_id)

    # ------------------------------------------------------------------ commands

    async def add_subscription(
        self,
        url: str,
        guild_id: int,
        channel_id: int,
        *,
        sentences: int | None = None,
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
        filter: str | None = None,
        backlog: bool = False,
        created_by: int | None = None,
        placement: Placement = ON_CHANNEL,
    ) -> tuple[Subscription, str, int]:
        """Validate (or discover from a page) the feed now and subscribe the channel.

        `sentences` None: the subscription follows the server's default as it is when each
        item is posted. Returns the subscription, the feed's title and how many items it has. Only
        the newest item is queued (or, with `backlog`, up to `max_backlog_items`):
        the rest are marked seen. Raises `PrecisError` with a message for the user.
        """
        url = _normalize_url(url)
        filter = combined(filter, keywords_expression(include, exclude))
        if sentences is not None:
            check_sentences(sentences)
        known = await self.store.get_feed_by_url(url)
        if known is not None:
            for sub in await self.store.list_subscriptions(feed_id=known.id):
                if sub.channel_id == channel_id:
                    raise AlreadySubscribed(channel_id, known.title, sub.id)
        fetched, parsed = await self.scheduler.fetch_feed_or_discover(url)
        now = utcnow()
        async with self.scheduler.feed_lock(fetched.url):
            sub = await self.rt.commit(
                self.store.add_subscription(
                    feed_url=fetched.url,
                    feed_title=parsed.title,
                    site_link=parsed.link,
                    state=FeedState(fetched.etag, fetched.last_modified),
                    items_now=parsed.items,
                    guild_id=guild_id,
                    channel_id=channel_id,
                    sentences=sentences,
                    filter=filter,
                    backlog=backlog,
                    max_backlog=self.config.max_backlog_items,
                    max_per_poll=self.config.max_items_per_poll,
                    now=now,
                    next_poll=self.rt.next_success(now),
                    created_by=created_by,
                    placement=placement,
                )
            )
        self.rt.wake_deliver.set()
        self.rt.wake_poll.set()
        return sub, parsed.title, len(parsed.items)

    async def remove_subscription(
        self, subscription_id: int, *, guild_id: int | None = None
    ) -> Subscription | None:
        return await self.store.remove_subscription(subscription_id, guild_id=guild_id)

    async def pause_subscription(
        self, subscription_id: int, *, guild_id: int | None = None, reason: str | None = None
    ) -> Subscription | None:
        return await self.store.pause_subscription(subscription_id, reason, guild_id=guild_id)

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
                result = await self.scheduler.poll(feed, quiet=True)
                log.info("quiet catch-up of feed %s: %s", feed.id, result.status)
        sub = await self.store.resume_subscription(subscription_id, guild_id=guild_id)
        self.rt.wake_deliver.set()
        self.rt.wake_poll.set()
        return sub

    async def set_filter(
        self, subscription_id: int, guild_id: int, expression: str
    ) -> tuple[Subscription, FilterTrial | None]:
        """Set (empty: clear) a subscription's filter, checked first (`FilterError` names
        where it is wrong), and try it on the feed's latest items."""
        expression = expression.strip()
        expr = parse(expression) if expression else None
        sub = await self._own(subscription_id, guild_id)
        await self.store.set_subscription_fields(
            subscription_id, guild_id, {"filter": expression or None}
        )
        trial = await self.try_filter(sub, expr) if expr is not None else None
        return await self._own(subscription_id, guild_id), trial

    async def set_mention(
        self, subscription_id: int, guild_id: int, role_id: int | None, when: str | None
    ) -> tuple[Subscription, FilterTrial | None]:
        """Ping `role_id` with each post (matching `when`, else every one); None: nobody."""
        when = (when or "").strip() or None
        expr = parse(when) if when else None
        sub = await self._own(subscription_id, guild_id)
        values = {"mention_role_id": role_id, "mention_when": when if role_id else None}
        await self.store.set_subscription_fields(subscription_id, guild_id, values)
        trial = await self.try_filter(sub, expr) if expr is not None and role_id else None
        return await self._own(subscription_id, guild_id), trial

    async def set_grouping(self, subscription_id: int, guild_id: int, on: bool) -> Subscription:
        """Whether the subscription's items join the channel's earlier post of their story."""
        await self._own(subscription_id, guild_id)
        await self.store.set_subscription_fields(subscription_id, guild_id, {"group_stories": on})
        return await self._own(subscription_id, guild_id)

    async def _own(self, subscription_id: int, guild_id: int) -> Subscription:
        sub = await self.store.get_subscription(subscription_id, guild_id=guild_id)
        if sub is None:
            raise InputError(
                f"There is no feed `#{subscription_id}` in this server (see `/feed list`)."
            )
        return sub

    async def try_filter(self, sub: Subscription, expr: Filter, last: int = 20) -> FilterTrial:
        """How many of the feed's latest recorded items `expr` matches. Items the feed's
        own words cannot decide are summarized from the feed's text (no page fetch)."""
        matched = undecided = 0
        recent = await self.store.latest_items(sub.feed_id, last)
        for item in recent:
            text = await asyncio.to_thread(html_to_text, item.content_html or "")
            fields = item_fields(item.title, text, item.author, item.link, item.categories)
            verdict = expr.evaluate(fields)
            if verdict is None and item.content_html:
                try:
                    summary = await self.items.summarize(None, item.content_html, 3)
                    verdict = expr.evaluate(with_summary(fields, summary))
                except Exception as exc:  # the trial is advice: never fail the command
                    log.info("filter trial: item %s not summarized: %s", item.id, exc)
            matched += verdict is True
            undecided += verdict is None
        return FilterTrial(matched, len(recent), undecided)

    async def poll_now(self, feed_id: int) -> PollResult:
        """Poll one feed now, whatever its schedule (tests, admin commands)."""
        feed = await self.store.get_feed(feed_id)
        if feed is None:
            return PollResult(feed_id, "skipped", error="no such feed")
        return await self.scheduler.poll(feed)

    async def preview(
        self, subscription_id: int, *, guild_id: int | None = None
    ) -> tuple[FeedItem, Summary]:
        """`/feed test`: the feed's latest item and its summary, changing nothing."""
        sub = await self.store.get_subscription(subscription_id, guild_id=guild_id)
        if sub is None:
            raise InputError("There is no such feed subscription in this server.")
        fetched = await self.scheduler.fetch(sub.feed_url)
        parsed = await self.scheduler.parse(fetched)
        item = parsed.newest
        if item is None:
            raise InputError(f"The feed {parsed.title} has no items yet.")
        server = await self.store.get_server_settings(sub.guild_id)
        sentences = resolve_sentences(
            None, subscription=sub.sentences, server=server.sentences,
            default=self.config.default_sentences,
        )  # fmt: skip
        summary = await self.items.for_item(
            item.link, item.content_html, item.title, item.published, parsed.title,
            sentences, image=item.image,
        )  # fmt: skip
        return item, summary

    async def run_deliveries(self) -> int:
        """Process every delivery and notice due now and wait for them (tests, tools)."""
        done = 0
        while True:
            spawned = await self.deliverer.round()
            busy = list(self.deliverer.delivering.values())
            if busy:
                await asyncio.gather(*busy, return_exceptions=True)
            done += spawned
            if not spawned:
                return done


@dataclass(frozen=True)
class FilterTrial:
    """A filter tried on the feed's latest items: matched of total (undecided: items
    whose answer needed a summary that could not be made)."""

    matched: int
    total: int
    undecided: int = 0


def _normalize_url(url: str) -> str:
    url = url.strip().strip("<>")
    if not url:
        raise InputError("Give me the address of a feed or of a site that has one.")
    if "://" not in url:
        url = "https://" + url
    return url
