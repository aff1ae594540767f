"""The deliverer: drains the queue in the database into the sink.

Each subscription's items go out oldest first, one subscription per worker task at a
time; an item is marked delivered only once the sink said it was sent. Due posts and
notices are *claimed* (leases with a fencing token, bot/feeds/queue.py), so a second
worker never takes the same post, and the nonce derived from (subscription, item) makes
a repeat send after a crash a no-op on Discord's side. Before an item is posted, its
channel's same-story grouping decides (once, recorded: bot/feeds/grouping.py) whether it
is a post of its own or joins an earlier post of the same story.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import functools
import logging

from bot.feeds.filters import judge
from bot.feeds.grouping import StoryGrouping
from bot.feeds.items import ItemSummaries
from bot.feeds.posting import Posting
from bot.feeds.rows import Delivery, Notice
from bot.feeds.runtime import DeliveryResult, Runtime, Sink, guarded
from bot.feeds.schema import DROPPED, FILTERED, FORUM, PENDING, SENT, utcnow
from bot.feeds.watches import match_watches

log = logging.getLogger("precis.feeds")


class Deliverer:
    def __init__(self, rt: Runtime, sink: Sink, items: ItemSummaries) -> None:
        self.rt = rt
        self.sink = sink
        self.items = items
        self.posting = Posting(rt, sink, items)
        self.grouping = StoryGrouping(rt, sink, items, self.posting)
        self.delivering: dict[int, asyncio.Task[None]] = {}
        self._slots = asyncio.Semaphore(rt.config.delivery_concurrency)

    async def run(self) -> None:
        await self.rt.loop(self._step, self.rt.wake_deliver, "delivery round")

    async def _step(self) -> float:
        await self.round()
        return await self._deliver_delay()

    async def _deliver_delay(self) -> float:
        nxt = await self.rt.store.next_delivery_at()
        if nxt is None:
            return self.rt.config.idle_wake
        wait = (nxt - utcnow()).total_seconds()
        if wait <= 0:  # due but its channel is busy: a finishing worker wakes us
            return self.rt.config.idle_wake
        return min(wait, self.rt.config.idle_wake)

    async def round(self, now: dt.datetime | None = None) -> int:
        """Start a worker per subscription with posts due at `now` (default: now)."""
        await self.rt.reclaim()
        now = now or utcnow()
        spawned = 0
        config = self.rt.config
        due_notices = await self.rt.store.claim_due_notices(
            now, config.worker_id, lease=config.delivery_lease
        )
        for notice in due_notices:
            if self.rt.stopping:
                break
            await self._send_notice(notice)
            spawned += 1
        # Claimed: a subscription being posted to here (or by another worker) holds its
        # deliveries' leases, so it is not handed out twice.
        due = await self.rt.store.claim_due_deliveries(
            now, config.worker_id, lease=config.delivery_lease, limit=500
        )
        groups: dict[int, list[Delivery]] = {}
        for d in due:
            groups.setdefault(d.subscription_id, []).append(d)
        for sub_id, batch in groups.items():
            task = asyncio.create_task(self._deliver_batch(batch), name=f"precis-deliver-{sub_id}")
            self.delivering[sub_id] = task
            task.add_done_callback(functools.partial(self._deliver_done, sub_id))
            spawned += len(batch)
        return spawned

    def _deliver_done(self, subscription_id: int, _task: object = None) -> None:
        self.delivering.pop(subscription_id, None)
        self.rt.wake_deliver.set()

    async def _deliver_batch(self, batch: list[Delivery]) -> None:
        done = 0
        try:
            async with self._slots:
                for delivery in batch:
                    if self.rt.stopping:
                        return
                    try:
                        follow = await self._deliver_one(delivery)
                    except asyncio.CancelledError:
                        raise
                    except Exception:
                        log.exception("delivery %s failed unexpectedly", delivery.id)
                        return
                    done += 1
                    if not follow:
                        return  # keep order: later items wait for this one
        finally:
            # What this batch claimed but did not complete goes back to the queue now,
            # not when its lease expires (after a stop, the restart releases it).
            left = [(d.id, d.lease_token) for d in batch[done:]]
            if left and not self.rt.stopping:
                await self.rt.commit(self.rt.store.release_deliveries(left))

    async def _judge(self, delivery: Delivery) -> Delivery | None:
        """Once the item is summarized: None when it is left out (its language, its
        filter; recorded), else the delivery with the role it pings, if any."""
        summary = await self.items.for_delivery(delivery)
        if not delivery.server.allows_language(summary.language):
            await self._skip(delivery, summary.language)
            return None
        failed, ping = await judge(
            delivery.filter, delivery.mention_role_id, delivery.mention_when,
            delivery.item, summary,
        )  # fmt: skip
        if failed is not None:
            await self._filtered(delivery, failed)
            return None
        return dataclasses.replace(delivery, ping_role=ping)

    async def _deliver_one(self, delivery: Delivery) -> bool:
        """Post one item; True when the next item of the subscription may follow."""
        async with self.grouping.lock(delivery.channel_id):
            return await self._deliver_locked(delivery)

    async def _post(self, delivery: Delivery) -> DeliveryResult | bool:
        """Judge the item, decide its story, and post it or add it to its story's post;
        True/False (see `_deliver_one`) when nothing was sent."""
        if delivery.message_id is None:  # not posted yet (a thread step alone needs none)
            judged = await self._judge(delivery)
            if judged is None:
                return True
            decided = await self.grouping.decide(judged)
            if decided is None:  # the claim was lost: another worker has it now
                return False
            delivery = decided
        if delivery.story_of is not None:
            return await self.grouping.join(delivery)
        return await self.posting.post(delivery)

    async def _deliver_locked(self, delivery: Delivery) -> bool:
        result = await self._post(delivery)
        if isinstance(result, bool):
            return result
        now = utcnow()
        if result.kind == "sent":
            # Before it is marked sent: a crash in between posts it again (the same message,
            # by its nonce) and finds the watches' hits already recorded.
            await self._fire_watches(delivery, result)
            await self.rt.commit(
                self.rt.store.mark_sent(
                    delivery.id, result.message_id, now, delivery.lease_token,
                    thread_id=result.thread_id,
                )
            )  # fmt: skip
            self.rt.stats.delivered += 1
            return True
        if result.kind == "gone":
            self.rt.stats.gone += 1
            log.info("subscription %s paused: %s", delivery.subscription_id, result.reason)
            await self.rt.commit(
                self.rt.store.pause_subscription(
                    delivery.subscription_id, result.reason, now=now, notify=True
                )
            )
            # The post stays queued for the resume: give back its claim.
            await self.rt.commit(
                self.rt.store.release_deliveries([(delivery.id, delivery.lease_token)])
            )
            self.rt.wake_deliver.set()
            return False
        self.rt.stats.retries += 1
        attempts = delivery.attempts + 1
        most = self.rt.config.delivery_max_attempts
        if most and attempts >= most:
            log.warning(
                "giving up delivery %s after %d attempts: %s", delivery.id, attempts, result.reason
            )
            reason = f"gave up after {attempts}: {result.reason}"
            await self.rt.commit(
                self.rt.store.mark_failed(delivery.id, reason, delivery.lease_token)
            )
            return True
        delay = max(result.after, self.rt.retry_delay(attempts))
        retry_at = now + dt.timedelta(seconds=delay)
        await self.rt.commit(
            self.rt.store.mark_retry(delivery.id, retry_at, result.reason, delivery.lease_token)
        )
        return False

    async def _fire_watches(self, d: Delivery, result: DeliveryResult) -> None:
        """Queue a notice for each of the server's watches this item's entities match."""
        if result.message_id is None:
            return
        found = await self.rt.store.list_watches(d.guild_id)
        if not found:
            return
        summary = await self.items.for_delivery(d)
        hits = await asyncio.to_thread(match_watches, found, summary)
        if not hits:
            return
        where = result.thread_id if d.mode == FORUM and result.thread_id else d.channel_id
        params = {
            "title": summary.title or d.item.title or d.feed_title, "feed": d.feed_title,
            "post": f"https://discord.com/channels/{d.guild_id}/{where}/{result.message_id}",
        }  # fmt: skip
        fired = await self.rt.commit(
            self.rt.store.record_watch_hits(hits, item_id=d.item.id, item_key=d.item.key,
                                            params=params, now=utcnow())  # fmt: skip
        )
        if fired:
            log.info("item %s of subscription %s fired %d watches", d.item.key,
                     d.subscription_id, fired)  # fmt: skip
            self.rt.wake_deliver.set()

    async def _skip(self, delivery: Delivery, language: str) -> None:
        """Not posted: the item is in a language the server's settings leave out."""
        allowed = ", ".join(delivery.server.languages)
        reason = f"in language {language}; this server posts only {allowed}"
        log.info("delivery %s skipped: %s", delivery.id, reason)
        self.rt.stats.skipped += 1
        await self.rt.commit(
            self.rt.store.mark_skipped(delivery.id, reason, delivery.lease_token)
        )

    async def _filtered(self, delivery: Delivery, clause: str) -> None:
        """Not posted: the subscription's filter fails on it (`clause` is the part that
        failed, kept for "why wasn't this posted")."""
        log.info("delivery %s filtered out by %r", delivery.id, clause)
        self.rt.stats.skipped += 1
        await self.rt.commit(
            self.rt.store.mark_skipped(delivery.id, clause, delivery.lease_token, FILTERED)
        )

    async def _send_notice(self, notice: Notice) -> None:
        result = await guarded(self.sink.notify(notice), f"notice {notice.id}")
        token = notice.lease_token
        now = utcnow()
        if result.kind == "sent":
            self.rt.stats.notices += 1
            await self.rt.commit(self.rt.store.mark_notice(notice.id, SENT, now=now, token=token))
        elif result.kind == "gone" or notice.attempts + 1 >= self.rt.config.delivery_max_attempts:
            await self.rt.commit(
                self.rt.store.mark_notice(
                    notice.id, DROPPED, now=now, error=result.reason, token=token
                )
            )
        else:
            delay = max(result.after, self.rt.retry_delay(notice.attempts + 1))
            await self.rt.commit(
                self.rt.store.mark_notice(
                    notice.id, PENDING, now=now, error=result.reason, token=token,
                    next_attempt=now + dt.timedelta(seconds=delay),
                )
            )  # fmt: skip
