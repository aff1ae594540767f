"""What became of each item for each subscription, and why: the record behind `/feed log`.

A fate is written when it is decided, in the transaction that decides it:

- when a poll (or `/feed add`) first sees an item: queued, filtered (the reason names the
  keyword), older than the subscription (a backlog not taken), over the flood cap, or a
  duplicate of an item already seen (the same title + link under a new GUID);
- once queued, the item's delivery row carries the rest (posted with its message,
  waiting for a retry with the next attempt's time and the error, failed with the error,
  skipped for its language, or grouped: added to the post of an earlier report of the
  same story), and `fate_log` reads the two together.

One row per subscription and item (`item_fates`, unique on both), kept
`FATE_RETENTION_DAYS` days and pruned with the items (`Store.prune`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.feeds.database import Database
from bot.feeds.schema import (
    FAILED,
    FILTERED,
    FORUM,
    PENDING,
    QUEUED,
    SENT,
    SKIPPED,
    aware,
    chunks,
    deliveries,
    item_fates,
    subscriptions,
    to_db,
)
from bot.ingest.feeds import FeedItem

LOG_SIZE = 25  # `/feed log` shows this many items

# What `/feed log` shows beyond the decisions at first sight (bot.feeds.schema.FATES).
POSTED, RETRY, FAILED_FATE, LANGUAGE = "posted", "retry", "failed", "language"
GROUPED = "grouped"  # added to the post of the same story (its message: that post)


@dataclass(frozen=True)
class Fate:
    """One item's fate for one subscription, as `/feed log` explains it."""

    fate: str  # a FATES value, or POSTED, RETRY, FAILED_FATE, LANGUAGE
    title: str | None
    link: str | None
    decided_at: dt.datetime
    reason: str | None = None  # the filter clause, the error, the language
    guild_id: int = 0
    channel_id: int | None = None  # where the post is (a forum post: its thread)
    message_id: int | None = None
    next_attempt: dt.datetime | None = None


async def record_fates(
    conn: AsyncConnection,
    subscription_id: int,
    decided: Sequence[tuple[FeedItem, str, str | None]],
    ids: dict[str, int],
    now: dt.datetime,
    *,
    key_of: dict[str, str] | None = None,
    order: Sequence[FeedItem] | None = None,
) -> None:
    """Write (item, fate, reason) for one subscription; a fate already recorded for the
    same item is kept (the first decision is the one that counted). `key_of` maps an
    item's key to the key it is recorded under (a duplicate: its fingerprint); `order`
    is the items' order in the feed, oldest first."""
    if not decided:
        return
    # In the feed's order (oldest first), so the log's newest-first order is the feed's.
    position = {it.key: n for n, (it, _, _) in enumerate(decided)}
    if order is not None:
        position = {it.key: n for n, it in enumerate(order)}
    decided = sorted(decided, key=lambda d: position.get(d[0].key, -1))
    keys = [(key_of or {}).get(it.key, it.key) for it, _, _ in decided]
    known: set[str] = set()
    for chunk in chunks(keys):
        found = await conn.execute(
            sa.select(item_fates.c.item_key).where(
                item_fates.c.subscription_id == subscription_id,
                item_fates.c.item_key.in_(chunk),
            )
        )
        known.update(found.scalars())
    rows = []
    for key, (it, fate, reason) in zip(keys, decided, strict=True):
        if key in known:
            continue
        known.add(key)
        rows.append({
            "subscription_id": subscription_id, "item_key": key, "item_id": ids.get(it.key),
            "title": (it.title or "")[:500] or None, "link": it.link, "fate": fate,
            "reason": reason[:500] if reason else None, "decided_at": to_db(now),
        })  # fmt: skip
    if rows:
        await conn.execute(sa.insert(item_fates), rows)


def _log_query(subscription_id: int, limit: int) -> sa.Select[Any]:
    lead = deliveries.alias("lead")
    lead_sub = subscriptions.alias("lead_sub")
    return (
        sa.select(
            item_fates,
            subscriptions.c.guild_id,
            subscriptions.c.channel_id,
            subscriptions.c.mode,
            deliveries.c.status,
            deliveries.c.attempts,
            deliveries.c.next_attempt,
            deliveries.c.last_error,
            deliveries.c.message_id,
            deliveries.c.thread_id,
            deliveries.c.story_of,
            lead.c.message_id.label("lead_message_id"),
            lead.c.thread_id.label("lead_thread_id"),
            lead_sub.c.channel_id.label("lead_channel_id"),
            lead_sub.c.mode.label("lead_mode"),
        )
        .join(subscriptions, subscriptions.c.id == item_fates.c.subscription_id)
        .outerjoin(
            deliveries,
            sa.and_(
                deliveries.c.subscription_id == item_fates.c.subscription_id,
                deliveries.c.item_id == item_fates.c.item_id,
            ),
        )
        .outerjoin(lead, lead.c.id == deliveries.c.story_of)
        .outerjoin(lead_sub, lead_sub.c.id == lead.c.subscription_id)
        .where(item_fates.c.subscription_id == subscription_id)
        .order_by(item_fates.c.decided_at.desc(), item_fates.c.id.desc())
        .limit(limit)
    )


def _fate(row: Any) -> Fate:
    m = row._mapping
    base: dict[str, Any] = {
        "title": m["title"], "link": m["link"], "decided_at": aware(m["decided_at"]),
        "guild_id": int(m["guild_id"]), "reason": m["reason"],
    }  # fmt: skip
    status = m["status"]
    if m["fate"] != QUEUED or status is None:
        return Fate(fate=m["fate"], **base)
    if status == SENT and m["story_of"] is not None:
        return _grouped(m, base)
    if status == SENT:
        thread = m["thread_id"]
        where = int(thread) if m["mode"] == FORUM and thread else int(m["channel_id"])
        message = m["message_id"]
        return Fate(fate=POSTED, channel_id=where,
                    message_id=None if message is None else int(message), **base)  # fmt: skip
    base["reason"] = m["last_error"]
    if status == FAILED:
        return Fate(fate=FAILED_FATE, **base)
    if status == SKIPPED:
        return Fate(fate=LANGUAGE, **base)
    if status == FILTERED:  # decided at delivery, on the summary: the failing clause
        return Fate(fate=FILTERED, **base)
    if status == PENDING and m["attempts"] and m["last_error"]:
        return Fate(fate=RETRY, next_attempt=aware(m["next_attempt"]), **base)
    return Fate(fate=QUEUED, **base)


def _grouped(m: Any, base: dict[str, Any]) -> Fate:
    """Added to the story's first post: where that post is (gone: None)."""
    message, thread = m["lead_message_id"], m["lead_thread_id"]
    if message is None or m["lead_channel_id"] is None:
        return Fate(fate=GROUPED, **base)
    where = int(thread) if m["lead_mode"] == FORUM and thread else int(m["lead_channel_id"])
    return Fate(fate=GROUPED, channel_id=where, message_id=int(message), **base)


class FateQueries(Database):
    async def fate_log(self, subscription_id: int, limit: int = LOG_SIZE) -> list[Fate]:
        """The subscription's last `limit` items and what became of each, newest first."""
        async with self._read() as conn:
            rows = (await conn.execute(_log_query(subscription_id, limit))).all()
        return [_fate(r) for r in rows]
