"""The feeds database: one `Store` with every query, grouped by what it is about.

    feeds, polls and new items ... bot/feeds/ingest.py
    subscriptions ................ bot/feeds/subscriptions.py
    per-server settings .......... bot/feeds/settings.py
    deliveries and notices ....... bot/feeds/queue.py (claimed with leases)
    same-story grouping .......... bot/feeds/story_rows.py
    what became of each item ..... bot/feeds/fates.py (`/feed log`)
    scheduled digests ............ bot/feeds/digest_store.py (`/digest`; runs claimed too)
    entity watches ............... bot/feeds/watches.py (`/watch`)
    host slots, Discord buckets .. bot/feeds/shared.py (what workers share)
    connection and migrations .... bot/feeds/database.py; the tables: bot/feeds/schema.py

Model: `items` is what a feed has ever shown (its "seen" set); `deliveries` is the
per-subscription queue. An item becomes delivered only when the sink said it was sent;
until then its delivery stays `pending` and is retried — across restarts, since it lives
here. Every state change a poll causes (new items, their deliveries, the feed's ETag,
notices) is one transaction, so a crash can neither lose an item nor record it twice.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from bot.feeds.digest_store import DigestQueries
from bot.feeds.fates import FateQueries
from bot.feeds.ingest import FeedQueries
from bot.feeds.queue import QueueQueries
from bot.feeds.schema import (
    FATE_RETENTION_DAYS,
    PENDING,
    deliveries,
    digest_runs,
    feeds,
    item_fates,
    items,
    notices,
    subscriptions,
    to_db,
)
from bot.feeds.settings import SettingsQueries
from bot.feeds.shared import SharedQueries
from bot.feeds.story_rows import StoryQueries
from bot.feeds.subscriptions import SubscriptionQueries
from bot.feeds.watches import WatchQueries


class Store(
    FeedQueries,
    SubscriptionQueries,
    QueueQueries,
    SettingsQueries,
    FateQueries,
    WatchQueries,
    StoryQueries,
    DigestQueries,
    SharedQueries,
):
    """The database. Create with `await Store.open(url)`; close with `await store.close()`."""

    async def prune(self, now: dt.datetime, *, keep_days: float = 90) -> int:
        """Forget items gone from their feed for `keep_days` (and their sent deliveries),
        old sent notices and digest runs, and item fates (`/feed log`) older than
        FATE_RETENTION_DAYS. Items with a pending delivery stay."""
        cutoff = to_db(now - dt.timedelta(days=keep_days))
        fates_cutoff = to_db(now - dt.timedelta(days=FATE_RETENTION_DAYS))
        waiting = sa.select(deliveries.c.item_id).where(deliveries.c.status == PENDING)
        async with self._write() as conn:
            old_items = sa.select(items.c.id).where(
                sa.func.coalesce(items.c.last_seen, items.c.first_seen) < cutoff,
                items.c.id.not_in(waiting),
            )
            await conn.execute(sa.delete(deliveries).where(deliveries.c.item_id.in_(old_items)))
            done = await conn.execute(
                sa.delete(items).where(
                    sa.func.coalesce(items.c.last_seen, items.c.first_seen) < cutoff,
                    items.c.id.not_in(waiting),
                )
            )
            await conn.execute(
                sa.delete(notices).where(notices.c.status != PENDING, notices.c.created_at < cutoff)
            )
            await conn.execute(sa.delete(item_fates).where(item_fates.c.decided_at < fates_cutoff))
            await conn.execute(  # a digest's runs: kept as long as items, then forgotten
                sa.delete(digest_runs).where(
                    digest_runs.c.status != PENDING, digest_runs.c.period_end < cutoff
                )
            )
        return int(done.rowcount or 0)

    async def stats(self) -> dict[str, int]:
        """Counts for health pages and metrics."""
        async with self._read() as conn:
            out: dict[str, int] = {}
            for name, table in (
                ("feeds", feeds),
                ("subscriptions", subscriptions),
                ("items", items),
            ):
                out[name] = (
                    await conn.execute(sa.select(sa.func.count()).select_from(table))
                ).scalar_one()
            out["failing_feeds"] = (
                await conn.execute(
                    sa.select(sa.func.count()).select_from(feeds).where(feeds.c.failure_count > 0)
                )
            ).scalar_one()
            out["paused_subscriptions"] = (
                await conn.execute(
                    sa.select(sa.func.count())
                    .select_from(subscriptions)
                    .where(subscriptions.c.paused == sa.true())
                )
            ).scalar_one()
            out["pending_deliveries"] = (
                await conn.execute(
                    sa.select(sa.func.count())
                    .select_from(deliveries)
                    .where(deliveries.c.status == PENDING)
                )
            ).scalar_one()
            out["pending_notices"] = (
                await conn.execute(
                    sa.select(sa.func.count())
                    .select_from(notices)
                    .where(notices.c.status == PENDING)
                )
            ).scalar_one()
        return out
