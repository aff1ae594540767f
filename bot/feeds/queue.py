"""The delivery queue and the notices: claimed with leases, completed with a fencing token.

A worker *claims* due rows (`claim_due_deliveries`, `claim_due_notices`): in one write
transaction it picks rows nobody holds a live lease on and writes its name, a lease expiry
and a new token on them, so no other worker is handed the same row while the lease lives.
Completing (`mark_sent`, `mark_retry`, ...) presents the token and clears the lease; a
worker whose lease expired and was taken over finds its completion refused (the other
worker owns the row now, and the per-item Discord nonce keeps the post single). On SQLite
the write lock serializes claims; on PostgreSQL the rows a claim picks are locked with
`FOR UPDATE SKIP LOCKED`, so concurrent claims take different rows instead of waiting.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.feeds.database import Database, take_turns
from bot.feeds.rows import Delivery, Notice, delivery_nonce, notice, server_defaults, stored_item
from bot.feeds.schema import (
    FAILED,
    PENDING,
    SENT,
    aware,
    chunks,
    deliveries,
    digest_runs,
    feeds,
    host_slots,
    items,
    notices,
    server_settings,
    subscriptions,
    to_db,
    unleased,
)

# -------------------------------------------------------------------- writes inside a poll


async def enqueue(
    conn: AsyncConnection,
    subscription_id: int,
    item_ids: list[int],
    now: dt.datetime,
    *,
    status: str = PENDING,
    reason: str | None = None,
) -> int:
    """Queue these items for the subscription (or, with another `status` such as
    FILTERED, record why they are not posted)."""
    if not item_ids:
        return 0
    stamp = to_db(now)
    await conn.execute(
        sa.insert(deliveries),
        [
            {
                "subscription_id": subscription_id,
                "item_id": item_id,
                "status": status,
                "attempts": 0,
                "next_attempt": stamp,
                "created_at": stamp,
                "last_error": reason,
            }
            for item_id in item_ids
        ],
    )
    return len(item_ids)


async def add_notice(
    conn: AsyncConnection,
    guild_id: int,
    channel_id: int,
    subscription_id: int | None,
    kind: str,
    params: dict[str, Any],
    now: dt.datetime,
) -> None:
    await conn.execute(
        sa.insert(notices).values(
            guild_id=guild_id,
            channel_id=channel_id,
            subscription_id=subscription_id,
            kind=kind,
            params=params,
            text="",
            status=PENDING,
            attempts=0,
            next_attempt=to_db(now),
            created_at=to_db(now),
        )
    )


async def notify_subscribers(
    conn: AsyncConnection, feed_id: int, kind: str, params: dict[str, Any], now: dt.datetime
) -> None:
    subs = (
        await conn.execute(
            sa.select(
                subscriptions.c.id, subscriptions.c.guild_id, subscriptions.c.channel_id
            ).where(subscriptions.c.feed_id == feed_id, subscriptions.c.paused == sa.false())
        )
    ).all()
    for sub_id, guild_id, channel_id in subs:
        await add_notice(conn, guild_id, channel_id, sub_id, kind, params, now)


# -------------------------------------------------------------------- queries


_SERVER = ("sentences", "entities", "color", "languages")


def _deliveries_select() -> sa.Select[Any]:
    """Deliveries with what posting them needs: the subscription, the item, the feed."""
    return (
        sa.select(
            deliveries.c.id.label("d_id"),
            deliveries.c.subscription_id,
            deliveries.c.attempts,
            deliveries.c.lease_token,
            subscriptions.c.guild_id,
            subscriptions.c.channel_id,
            subscriptions.c.sentences,
            subscriptions.c.mode,
            subscriptions.c.tag_id,
            subscriptions.c.filter,
            subscriptions.c.mention_role_id,
            subscriptions.c.mention_when,
            deliveries.c.message_id,
            deliveries.c.thread_id,
            deliveries.c.thread_name,
            deliveries.c.intent_at,
            subscriptions.c.group_stories,
            deliveries.c.story_at,
            deliveries.c.story_of,
            feeds.c.title.label("feed_title"),
            feeds.c.url.label("feed_url"),
            *[c.label("i_" + c.name) for c in items.c],
            # the server's settings as they are now: a subscription follows them
            *[c.label("s_" + c.name) for c in server_settings.c if c.name in _SERVER],
        )
        .join(subscriptions, subscriptions.c.id == deliveries.c.subscription_id)
        .join(items, items.c.id == deliveries.c.item_id)
        .join(feeds, feeds.c.id == items.c.feed_id)
        .outerjoin(server_settings, server_settings.c.guild_id == subscriptions.c.guild_id)
        .order_by(deliveries.c.subscription_id, deliveries.c.item_id)
    )


def _due_deliveries_query(now: dt.datetime, limit: int) -> sa.Select[Any]:
    """Pending deliveries due now and unclaimed, of active subscriptions, each
    subscription's in item order — never past an earlier item of the same
    subscription still waiting (for a retry, or in another worker's hands)."""
    earlier = deliveries.alias("earlier")
    blocked = sa.exists(
        sa.select(earlier.c.id).where(
            earlier.c.subscription_id == deliveries.c.subscription_id,
            earlier.c.status == PENDING,
            earlier.c.item_id < deliveries.c.item_id,
            sa.or_(earlier.c.next_attempt > to_db(now), ~unleased(earlier, now)),
        )
    )
    return (
        _deliveries_select()
        .where(
            deliveries.c.status == PENDING,
            deliveries.c.next_attempt <= to_db(now),
            subscriptions.c.paused == sa.false(),
            unleased(deliveries, now),
            ~blocked,
        )
        .limit(limit)
    )


def _delivery(row: Any) -> Delivery:
    m = row._mapping
    item = stored_item(m, "i_")
    return Delivery(
        id=m["d_id"],
        subscription_id=m["subscription_id"],
        guild_id=int(m["guild_id"]),
        channel_id=int(m["channel_id"]),
        feed_id=item.feed_id,
        feed_title=m["feed_title"],
        feed_url=m["feed_url"],
        item=item,
        sentences=m["sentences"],
        nonce=delivery_nonce(m["subscription_id"], item.key),
        attempts=m["attempts"],
        lease_token=m["lease_token"],
        mode=m["mode"],
        tag_id=_opt_int(m["tag_id"]),
        message_id=_opt_int(m["message_id"]),
        thread_id=_opt_int(m["thread_id"]),
        thread_name=m["thread_name"],
        intent_at=aware(m["intent_at"]),
        server=server_defaults(m, "s_"),
        filter=m["filter"],
        mention_role_id=_opt_int(m["mention_role_id"]),
        mention_when=m["mention_when"],
        group_stories=bool(m["group_stories"]),
        story_decided=m["story_at"] is not None,
        story_of=_opt_int(m["story_of"]),
    )


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


async def _claim(
    conn: AsyncConnection,
    table: sa.Table,
    due: sa.Select[Any],
    owner: str,
    now: dt.datetime,
    lease: float,
    also: sa.Table | None = None,
) -> dt.datetime | None:
    """Lease the rows `due` selects, in one statement: a write from its first step, so two
    workers cannot both read a row as free and then both take it (the lease condition is
    checked again on the row itself). Returns the lease expiry that marks this claim."""
    until = to_db(now + dt.timedelta(seconds=lease))
    await take_turns(conn, table.name)  # then rows another writer holds are skipped, and
    # (`also`) a subscription's later items while another claim takes an earlier one
    of = table if also is None else [table, also]
    picked = due.with_for_update(skip_locked=True, of=of, key_share=True).correlate(None)
    await conn.execute(
        sa.update(table)
        .where(table.c.id.in_(picked), unleased(table, now))
        .values(lease_owner=owner, lease_until=until, lease_token=table.c.lease_token + 1)
    )
    return until


def _claimed_deliveries(owner: str, until: dt.datetime | None) -> sa.Select[Any]:
    """What one claim took (its owner and lease expiry mark it)."""
    return _deliveries_select().where(
        deliveries.c.lease_owner == owner, deliveries.c.lease_until == until
    )


def _release(table: sa.Table, row_id: int, token: int | None) -> sa.Update:
    """An update of one row that clears its lease, refused (0 rows) on a stale token."""
    query = sa.update(table).where(table.c.id == row_id)
    if token is not None:
        query = query.where(table.c.lease_token == token)
    return query.values(lease_owner=None, lease_until=None)


class QueueQueries(Database):
    async def due_deliveries(self, now: dt.datetime, limit: int = 100) -> list[Delivery]:
        """What is due and unclaimed (read only: `claim_due_deliveries` takes it)."""
        async with self._read() as conn:
            rows = (await conn.execute(_due_deliveries_query(now, limit))).all()
        return [_delivery(row) for row in rows]

    async def claim_due_deliveries(
        self, now: dt.datetime, owner: str, *, lease: float, limit: int = 100
    ) -> list[Delivery]:
        """Claim what is due for `lease` seconds; each comes with its fencing token."""
        due = _due_deliveries_query(now, limit).with_only_columns(deliveries.c.id)
        async with self._write() as conn:
            until = await _claim(conn, deliveries, due, owner, now, lease, subscriptions)
            rows = (await conn.execute(_claimed_deliveries(owner, until))).all()
        return [_delivery(row) for row in rows]

    async def release_deliveries(self, claims: list[tuple[int, int]]) -> None:
        """Give back claimed deliveries (id, token) that were not completed."""
        async with self._write() as conn:
            for delivery_id, token in claims:
                await conn.execute(_release(deliveries, delivery_id, token))

    async def release_leases(self, owner: str) -> int:
        """Drop every lease `owner` holds: a restarted worker takes its work back at once
        instead of waiting for its old leases to expire."""
        released = 0
        async with self._write() as conn:
            for table in (feeds, deliveries, notices, digest_runs, host_slots):
                done = await conn.execute(
                    sa.update(table)
                    .where(table.c.lease_owner == owner)
                    .values(lease_owner=None, lease_until=None)
                )
                released += int(done.rowcount or 0)
        return released

    async def next_delivery_at(self) -> dt.datetime | None:
        """When the next pending delivery or notice is due (None when nothing waits)."""
        d_query = (
            sa.select(sa.func.min(deliveries.c.next_attempt))
            .join(subscriptions, subscriptions.c.id == deliveries.c.subscription_id)
            .where(deliveries.c.status == PENDING, subscriptions.c.paused == sa.false())
        )
        n_query = sa.select(sa.func.min(notices.c.next_attempt)).where(notices.c.status == PENDING)
        async with self._read() as conn:
            values = [
                aware((await conn.execute(d_query)).scalar()),
                aware((await conn.execute(n_query)).scalar()),
            ]
        present = [v for v in values if v is not None]
        return min(present) if present else None

    async def mark_sent(
        self,
        delivery_id: int,
        message_id: int | None,
        now: dt.datetime,
        token: int | None = None,
        *,
        thread_id: int | None = None,
    ) -> bool:
        values: dict[str, Any] = {
            "status": SENT,
            "sent_at": to_db(now),
            "attempts": deliveries.c.attempts + 1,
            "last_error": None,
        }
        if message_id is not None:  # a thread step keeps the message its first step posted
            values["message_id"] = message_id
        if thread_id is not None:
            values["thread_id"] = thread_id
        async with self._write() as conn:
            done = await conn.execute(_release(deliveries, delivery_id, token).values(**values))
        return bool(done.rowcount)

    async def mark_posted(
        self, delivery_id: int, message_id: int, thread_name: str, token: int | None = None
    ) -> bool:
        """The first step of a post with its own thread: the message exists (its id is kept
        before the thread is asked for, so a restart only starts the thread). The lease
        stays: the same worker goes on with the thread."""
        query = sa.update(deliveries).where(deliveries.c.id == delivery_id)
        if token is not None:
            query = query.where(deliveries.c.lease_token == token)
        async with self._write() as conn:
            done = await conn.execute(query.values(message_id=message_id, thread_name=thread_name))
        return bool(done.rowcount)

    async def mark_intent(
        self, delivery_id: int, thread_name: str, now: dt.datetime, token: int | None = None
    ) -> tuple[dt.datetime, str] | None:
        """Record, before asking Discord, that a forum post named `thread_name` is about to
        be created (the first attempt's time and name are kept). Returns those; None when
        the claim was lost (the token is stale)."""
        query = sa.update(deliveries).where(deliveries.c.id == delivery_id)
        if token is not None:
            query = query.where(deliveries.c.lease_token == token)
        values = {
            "thread_name": sa.func.coalesce(deliveries.c.thread_name, thread_name),
            "intent_at": sa.func.coalesce(deliveries.c.intent_at, to_db(now)),
        }
        async with self._write() as conn:
            done = await conn.execute(query.values(**values))
            if not done.rowcount:
                return None
            row = (
                await conn.execute(
                    sa.select(deliveries.c.intent_at, deliveries.c.thread_name).where(
                        deliveries.c.id == delivery_id
                    )
                )
            ).one()
        return aware(row.intent_at) or now, str(row.thread_name)

    async def recorded_threads(self, thread_ids: list[int]) -> set[int]:
        """Which of these threads a delivery already recorded as its own."""
        found: set[int] = set()
        async with self._read() as conn:
            for chunk in chunks(thread_ids):
                rows = await conn.execute(
                    sa.select(deliveries.c.thread_id).where(deliveries.c.thread_id.in_(chunk))
                )
                found.update(int(t) for (t,) in rows.all())
        return found

    async def mark_retry(
        self, delivery_id: int, next_attempt: dt.datetime, error: str, token: int | None = None
    ) -> bool:
        """Try again at `next_attempt`; the subscription's later items wait as long (order)."""
        async with self._write() as conn:
            done = await conn.execute(
                _release(deliveries, delivery_id, token).values(
                    next_attempt=to_db(next_attempt),
                    attempts=deliveries.c.attempts + 1,
                    last_error=error[:1000],
                )
            )
            if not done.rowcount:
                return False
            row = (
                await conn.execute(
                    sa.select(deliveries.c.subscription_id, deliveries.c.item_id).where(
                        deliveries.c.id == delivery_id
                    )
                )
            ).one()
            await conn.execute(
                sa.update(deliveries)
                .where(
                    deliveries.c.subscription_id == row.subscription_id,
                    deliveries.c.status == PENDING,
                    deliveries.c.item_id > row.item_id,
                    deliveries.c.next_attempt < to_db(next_attempt),
                )
                .values(next_attempt=to_db(next_attempt))
            )
        return True

    async def mark_failed(self, delivery_id: int, error: str, token: int | None = None) -> bool:
        """Give up on one delivery (after too many attempts); it is kept for inspection."""
        async with self._write() as conn:
            done = await conn.execute(
                _release(deliveries, delivery_id, token).values(
                    status=FAILED, last_error=error[:1000], attempts=deliveries.c.attempts + 1
                )
            )
        return bool(done.rowcount)

    async def delivery_counts(self, subscription_id: int | None = None) -> dict[str, int]:
        query = sa.select(deliveries.c.status, sa.func.count()).group_by(deliveries.c.status)
        if subscription_id is not None:
            query = query.where(deliveries.c.subscription_id == subscription_id)
        async with self._read() as conn:
            rows = (await conn.execute(query)).all()
        return {status: count for status, count in rows}

    async def sent_items(self, subscription_id: int) -> list[tuple[str, int | None]]:
        """(item key, message id) of everything posted to a subscription, in post order."""
        query = (
            sa.select(items.c.key, deliveries.c.message_id)
            .join(items, items.c.id == deliveries.c.item_id)
            .where(deliveries.c.subscription_id == subscription_id, deliveries.c.status == SENT)
            .order_by(deliveries.c.sent_at, deliveries.c.id)
        )
        async with self._read() as conn:
            return [(k, m) for k, m in (await conn.execute(query)).all()]

    # ------------------------------------------------------------------ notices

    def _due_notices_query(self, now: dt.datetime, limit: int) -> sa.Select[Any]:
        return (
            sa.select(notices)
            .where(
                notices.c.status == PENDING,
                notices.c.next_attempt <= to_db(now),
                unleased(notices, now),
            )
            .order_by(notices.c.id)
            .limit(limit)
        )

    async def due_notices(self, now: dt.datetime, limit: int = 50) -> list[Notice]:
        async with self._read() as conn:
            rows = (await conn.execute(self._due_notices_query(now, limit))).all()
        return [notice(r) for r in rows]

    async def claim_due_notices(
        self, now: dt.datetime, owner: str, *, lease: float, limit: int = 50
    ) -> list[Notice]:
        due = self._due_notices_query(now, limit).with_only_columns(notices.c.id)
        async with self._write() as conn:
            until = await _claim(conn, notices, due, owner, now, lease)
            claimed = sa.select(notices).where(
                notices.c.lease_owner == owner, notices.c.lease_until == until
            )
            rows = (await conn.execute(claimed.order_by(notices.c.id))).all()
        return [notice(r) for r in rows]

    async def mark_notice(
        self,
        notice_id: int,
        status: str,
        *,
        now: dt.datetime,
        next_attempt: dt.datetime | None = None,
        error: str | None = None,
        token: int | None = None,
    ) -> bool:
        values: dict[str, Any] = {
            "status": status,
            "attempts": notices.c.attempts + 1,
            "last_error": error[:1000] if error else None,
        }
        if status == SENT:
            values["sent_at"] = to_db(now)
        if next_attempt is not None:
            values["next_attempt"] = to_db(next_attempt)
        async with self._write() as conn:
            done = await conn.execute(_release(notices, notice_id, token).values(**values))
        return bool(done.rowcount)
