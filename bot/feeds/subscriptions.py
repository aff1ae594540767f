"""Subscriptions: a channel following a feed, with its sentence count (None: the
server's default when each item is posted) and keywords."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.feeds.database import Database
from bot.feeds.digest_store import digest_only, in_digest_reason
from bot.feeds.fates import record_fates
from bot.feeds.ingest import backlog_fates, ingest_items, sort_by_filters
from bot.feeds.queue import add_notice, enqueue
from bot.feeds.rows import (
    ON_CHANNEL,
    SUB_COLUMNS,
    AlreadySubscribed,
    FeedState,
    Placement,
    Subscription,
    subscription,
)
from bot.feeds.schema import (
    IN_DIGEST,
    QUEUED,
    chunks,
    deliveries,
    feeds,
    items,
    notices,
    subscriptions,
    to_db,
    utcnow,
)
from bot.ingest.feeds import FeedItem


class SubscriptionQueries(Database):
    async def add_subscription(
        self,
        *,
        feed_url: str,
        feed_title: str,
        site_link: str | None,
        state: FeedState,
        items_now: Sequence[FeedItem],
        guild_id: int,
        channel_id: int,
        sentences: int | None,
        filter: str | None = None,
        backlog: bool = False,
        max_backlog: int = 50,
        max_per_poll: int = 5,
        now: dt.datetime,
        next_poll: dt.datetime,
        created_by: int | None = None,
        placement: Placement = ON_CHANNEL,
    ) -> Subscription:
        """Subscribe a channel to a feed just fetched, without flooding it.

        The feed's current items become seen; the new subscription gets only the
        newest one that passes its filters — or, with `backlog`, up to
        `max_backlog` of them, oldest first. When the feed already exists, the
        fetched items first go through the normal path, so the channels already
        subscribed get anything new.
        """
        async with self._write() as conn:
            feed_id, is_new = await _upsert_feed(
                conn, feed_url, feed_title, site_link, state, len(items_now), channel_id,
                now=now, next_poll=next_poll,
            )  # fmt: skip
            await ingest_items(
                conn, feed_id, feed_title, items_now,
                now=now, max_per_poll=max_per_poll, quiet=is_new,
            )  # fmt: skip
            sub_id = await _insert_subscription(
                conn, feed_id, guild_id, channel_id, sentences, filter, created_by, now, placement,
            )  # fmt: skip
            filtered, wanted = sort_by_filters(items_now, filter)
            taken = wanted[-max_backlog:] if backlog else wanted[-1:]
            ids = await self._item_ids(conn, feed_id, items_now)
            fates = filtered + backlog_fates(wanted, taken)
            digest = await digest_only(conn, guild_id, channel_id, feed_id)
            if digest is not None:  # the channel's digest takes what would be posted
                fates = [(it, IN_DIGEST, in_digest_reason(digest)) if fate == QUEUED
                         else (it, fate, why) for it, fate, why in fates]  # fmt: skip
                taken = []
            await record_fates(conn, sub_id, fates, ids, now, order=items_now)
            await enqueue(conn, sub_id, [ids[it.key] for it in taken if it.key in ids], now)
            sub = (
                await conn.execute(self._sub_query().where(subscriptions.c.id == sub_id))
            ).one()
            return subscription(sub)

    async def _item_ids(
        self, conn: AsyncConnection, feed_id: int, wanted: Sequence[FeedItem]
    ) -> dict[str, int]:
        """Ids of items by key, or by fingerprint for items whose GUID churned."""
        found: dict[str, int] = {}
        keys = [it.key for it in wanted]
        for chunk in chunks(keys):
            rows = await conn.execute(
                sa.select(items.c.key, items.c.id).where(
                    items.c.feed_id == feed_id, items.c.key.in_(chunk)
                )
            )
            found.update({k: i for k, i in rows.all()})
        for it in wanted:
            if it.key not in found and it.fingerprint:
                row = (
                    await conn.execute(
                        sa.select(items.c.id)
                        .where(items.c.feed_id == feed_id, items.c.fingerprint == it.fingerprint)
                        .order_by(items.c.id.desc())
                        .limit(1)
                    )
                ).first()
                if row is not None:
                    found[it.key] = row.id
        return found

    def _sub_query(self) -> sa.Select[Any]:
        return sa.select(*SUB_COLUMNS).join(feeds, feeds.c.id == subscriptions.c.feed_id)

    async def get_subscription(
        self, subscription_id: int, *, guild_id: int | None = None
    ) -> Subscription | None:
        query = self._sub_query().where(subscriptions.c.id == subscription_id)
        if guild_id is not None:
            query = query.where(subscriptions.c.guild_id == guild_id)
        async with self._read() as conn:
            row = (await conn.execute(query)).first()
        return subscription(row) if row else None

    async def list_subscriptions(
        self,
        *,
        guild_id: int | None = None,
        channel_id: int | None = None,
        feed_id: int | None = None,
    ) -> list[Subscription]:
        query = self._sub_query().order_by(subscriptions.c.channel_id, subscriptions.c.id)
        if guild_id is not None:
            query = query.where(subscriptions.c.guild_id == guild_id)
        if channel_id is not None:
            query = query.where(subscriptions.c.channel_id == channel_id)
        if feed_id is not None:
            query = query.where(subscriptions.c.feed_id == feed_id)
        async with self._read() as conn:
            rows = (await conn.execute(query)).all()
        return [subscription(r) for r in rows]

    async def remove_subscription(
        self, subscription_id: int, *, guild_id: int | None = None
    ) -> Subscription | None:
        """Delete a subscription and its queue; a feed nobody follows any more goes too."""
        sub = await self.get_subscription(subscription_id, guild_id=guild_id)
        if sub is None:
            return None
        async with self._write() as conn:
            await conn.execute(
                sa.delete(deliveries).where(deliveries.c.subscription_id == subscription_id)
            )
            await conn.execute(
                sa.update(notices)
                .where(notices.c.subscription_id == subscription_id)
                .values(subscription_id=None)
            )
            await conn.execute(
                sa.delete(subscriptions).where(subscriptions.c.id == subscription_id)
            )
            left = (
                await conn.execute(
                    sa.select(sa.func.count())
                    .select_from(subscriptions)
                    .where(subscriptions.c.feed_id == sub.feed_id)
                )
            ).scalar_one()
            if left == 0:
                await conn.execute(sa.delete(items).where(items.c.feed_id == sub.feed_id))
                await conn.execute(sa.delete(feeds).where(feeds.c.id == sub.feed_id))
        return sub

    async def pause_subscription(
        self,
        subscription_id: int,
        reason: str | None = None,
        *,
        guild_id: int | None = None,
        now: dt.datetime | None = None,
        notify: bool = False,
    ) -> Subscription | None:
        """Pause; queued deliveries wait (they go out on resume). With `notify`, the
        server is told why (used when the channel is gone or permission was lost)."""
        now = now or utcnow()
        async with self._write() as conn:
            query = sa.update(subscriptions).where(subscriptions.c.id == subscription_id)
            if guild_id is not None:
                query = query.where(subscriptions.c.guild_id == guild_id)
            done = await conn.execute(
                query.values(paused=True, paused_reason=reason, paused_at=to_db(now))
            )
            if done.rowcount and notify:
                row = (
                    await conn.execute(
                        self._sub_query().where(subscriptions.c.id == subscription_id)
                    )
                ).one()
                params = {"title": row.feed_title, "channel_id": row.channel_id,
                          "reason": reason or "it stopped working"}  # fmt: skip
                await add_notice(
                    conn, row.guild_id, row.channel_id, subscription_id, "paused", params, now
                )
        return await self.get_subscription(subscription_id, guild_id=guild_id)

    async def resume_subscription(
        self, subscription_id: int, *, guild_id: int | None = None
    ) -> Subscription | None:
        async with self._write() as conn:
            query = sa.update(subscriptions).where(subscriptions.c.id == subscription_id)
            if guild_id is not None:
                query = query.where(subscriptions.c.guild_id == guild_id)
            await conn.execute(query.values(paused=False, paused_reason=None, paused_at=None))
        return await self.get_subscription(subscription_id, guild_id=guild_id)

    async def has_active_subscription(self, feed_id: int, *, besides: int | None = None) -> bool:
        query = sa.select(subscriptions.c.id).where(
            subscriptions.c.feed_id == feed_id, subscriptions.c.paused == sa.false()
        )
        if besides is not None:
            query = query.where(subscriptions.c.id != besides)
        async with self._read() as conn:
            return (await conn.execute(query.limit(1))).first() is not None

    # ------------------------------------------------------------------ items

    async def count_items(self, feed_id: int) -> int:
        async with self._read() as conn:
            return (
                await conn.execute(
                    sa.select(sa.func.count()).select_from(items).where(items.c.feed_id == feed_id)
                )
            ).scalar_one()


async def _insert_subscription(
    conn: AsyncConnection,
    feed_id: int,
    guild_id: int,
    channel_id: int,
    sentences: int | None,
    filter: str | None,
    created_by: int | None,
    now: dt.datetime,
    placement: Placement,
) -> int:
    return int(
        (
            await conn.execute(
                sa.insert(subscriptions)
                .values(
                    feed_id=feed_id,
                    guild_id=guild_id,
                    channel_id=channel_id,
                    sentences=sentences,
                    include=[],
                    exclude=[],
                    filter=filter,
                    paused=False,
                    created_at=to_db(now),
                    created_by=created_by,
                    mode=placement.mode,
                    tag_id=placement.tag_id,
                    tag_name=placement.tag_name,
                    group_stories=placement.group_stories,
                )
                .returning(subscriptions.c.id)
            )
        ).scalar_one()
    )


async def _upsert_feed(
    conn: AsyncConnection,
    feed_url: str,
    feed_title: str,
    site_link: str | None,
    state: FeedState,
    item_count: int,
    channel_id: int,
    *,
    now: dt.datetime,
    next_poll: dt.datetime,
) -> tuple[int, bool]:
    """The feed's id (created when new: True), refusing a channel that already follows it."""
    row = (await conn.execute(sa.select(feeds).where(feeds.c.url == feed_url))).first()
    if row is None:
        feed_id = (
            await conn.execute(
                sa.insert(feeds)
                .values(
                    url=feed_url,
                    host=(urlsplit(feed_url).hostname or "")[:255],
                    title=feed_title[:256],
                    site_link=site_link,
                    etag=state.etag,
                    last_modified=state.last_modified,
                    created_at=to_db(now),
                    last_attempt=to_db(now),
                    last_success=to_db(now),
                    failure_count=0,
                    failure_notified=False,
                    next_poll=to_db(next_poll),
                    item_count=item_count,
                )
                .returning(feeds.c.id)
            )
        ).scalar_one()
        return feed_id, True
    existing = (
        await conn.execute(
            sa.select(subscriptions.c.id).where(
                subscriptions.c.feed_id == row.id, subscriptions.c.channel_id == channel_id
            )
        )
    ).first()
    if existing is not None:
        raise AlreadySubscribed(channel_id, row.title, existing.id)
    await conn.execute(
        sa.update(feeds)
        .where(feeds.c.id == row.id)
        .values(
            etag=state.etag,
            last_modified=state.last_modified,
            title=feed_title[:256],
            item_count=item_count,
        )
    )
    return row.id, False
