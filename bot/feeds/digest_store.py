"""The digests' rows: `/digest add|list|remove`, one run per digest and period, claimed
like a delivery, and the period's items.

Exactly once, with several workers on one database:

- a period's run is *opened* by inserting (digest, period end), unique on both: the
  worker that comes second gets an IntegrityError and opens nothing;
- a run is *claimed* with the deliveries' mechanism (bot/feeds/queue.py: a lease, a new
  fencing token, `FOR UPDATE SKIP LOCKED` on PostgreSQL), and every completion presents
  its token;
- its stories are recorded before the first message is sent, each message goes out with
  a nonce derived from the run's and its number (enforce_nonce: a repeat is the same
  message), and the count of messages sent moves on after each one.

Only the latest period that ended is opened: a bot that was down for three days posts one
digest on start (covering the time since the last one), not three.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import zoneinfo
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from cronsim import CronSimError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.errors import InputError
from bot.feeds.database import Database
from bot.feeds.queue import _claim, _release
from bot.feeds.rows import StoredItem, stored_item
from bot.feeds.schedule import Schedule
from bot.feeds.schema import (
    FAILED,
    IN_DIGEST,
    PENDING,
    QUEUED,
    SENT,
    aware,
    digest_runs,
    digests,
    feeds,
    item_fates,
    items,
    subscriptions,
    to_db,
)

log = logging.getLogger("precis.feeds")

MAX_DIGESTS = 10  # per server
PERIOD_ITEMS = 200  # at most this many of a period's newest items are read for a digest


def run_nonce(digest_id: int, period_end: dt.datetime) -> str:
    """The run's nonce: one per digest and period, whoever opens it."""
    stamp = to_db(period_end).isoformat()  # type: ignore[union-attr]
    return hashlib.sha256(f"precis:digest:{digest_id}:{stamp}".encode()).hexdigest()[:25]


def page_nonce(nonce: str, page: int) -> str:
    """The Discord nonce (25 characters) of one message of a run."""
    return hashlib.sha256(f"{nonce}:{page}".encode()).hexdigest()[:25]


@dataclass(frozen=True)
class Digest:
    id: int
    guild_id: int
    channel_id: int
    schedule: Schedule
    feed_ids: tuple[int, ...] | None  # None: every feed the server follows
    max_items: int
    sentences: int
    only: bool  # replaces the channel's per-item posts of those feeds
    created_at: dt.datetime
    created_by: int | None = None


@dataclass(frozen=True)
class DigestRun:
    """One digest period to post; `content` is None until its stories are recorded."""

    id: int
    digest: Digest
    period_start: dt.datetime
    period_end: dt.datetime
    nonce: str
    content: dict[str, Any] | None
    parts_sent: int
    message_ids: tuple[int, ...]
    attempts: int
    lease_token: int


@dataclass(frozen=True)
class PeriodItem:
    item: StoredItem
    feed_title: str
    seen: dt.datetime  # when the item was first seen (decided for its subscription)


def _digest(m: Any, prefix: str = "") -> Digest:
    feed_ids = m[prefix + "feed_ids"]
    return Digest(
        id=m[prefix + "id"], guild_id=int(m[prefix + "guild_id"]),
        channel_id=int(m[prefix + "channel_id"]),
        schedule=Schedule(m[prefix + "schedule"], m[prefix + "cron"], m[prefix + "timezone"]),
        feed_ids=None if feed_ids is None else tuple(int(f) for f in feed_ids),
        max_items=m[prefix + "max_items"], sentences=m[prefix + "sentences"],
        only=bool(m[prefix + "only"]), created_at=aware(m[prefix + "created_at"]),  # type: ignore[arg-type]
        created_by=None if m[prefix + "created_by"] is None else int(m[prefix + "created_by"]),
    )  # fmt: skip


def _run(row: Any) -> DigestRun:
    m = row._mapping
    return DigestRun(
        id=m["id"], digest=_digest(m, "d_"),
        period_start=aware(m["period_start"]), period_end=aware(m["period_end"]),  # type: ignore[arg-type]
        nonce=m["nonce"], content=m["content"], parts_sent=m["parts_sent"],
        message_ids=tuple(int(i) for i in m["message_ids"] or ()),
        attempts=m["attempts"], lease_token=m["lease_token"],
    )  # fmt: skip


def _runs_select() -> sa.Select[Any]:
    return sa.select(digest_runs, *[c.label("d_" + c.name) for c in digests.c]).join(
        digests, digests.c.id == digest_runs.c.digest_id
    )


def _due_runs(now: dt.datetime, limit: int) -> sa.Select[Any]:
    return (
        sa.select(digest_runs.c.id)
        .where(
            digest_runs.c.status == PENDING,
            digest_runs.c.next_attempt <= to_db(now),
            sa.or_(digest_runs.c.lease_until.is_(None), digest_runs.c.lease_until <= to_db(now)),
        )
        .order_by(digest_runs.c.id)
        .limit(limit)
    )


async def digest_only(
    conn: AsyncConnection, guild_id: int, channel_id: int, feed_id: int
) -> str | None:
    """The schedule of a "digest only" digest of this channel covering this feed (its
    subscription there posts nothing per item), else None."""
    rows = await conn.execute(
        sa.select(digests.c.schedule, digests.c.feed_ids).where(
            digests.c.guild_id == guild_id,
            digests.c.channel_id == channel_id,
            digests.c.only == sa.true(),
        )  # fmt: skip
    )
    for schedule, feed_ids in rows.all():
        if feed_ids is None or feed_id in {int(f) for f in feed_ids}:
            return str(schedule)
    return None


def in_digest_reason(schedule: str) -> str:
    return f"kept for the channel's digest ({schedule})"


class DigestQueries(Database):
    async def add_digest(
        self, *, guild_id: int, channel_id: int, schedule: Schedule,
        feed_ids: list[int] | None, max_items: int, sentences: int, only: bool,
        now: dt.datetime, created_by: int | None = None,
    ) -> Digest:  # fmt: skip
        async with self._write() as conn:
            query = sa.select(sa.func.count()).select_from(digests)
            count = await conn.execute(query.where(digests.c.guild_id == guild_id))
            if count.scalar_one() >= MAX_DIGESTS:
                raise InputError(
                    f"This server has {MAX_DIGESTS} digests already: remove one first."
                )
            new_id = (
                await conn.execute(
                    sa.insert(digests).values(
                        guild_id=guild_id, channel_id=channel_id, schedule=schedule.text,
                        cron=schedule.cron, timezone=schedule.timezone, feed_ids=feed_ids,
                        max_items=max_items, sentences=sentences, only=only,
                        created_at=to_db(now), created_by=created_by,
                    ).returning(digests.c.id)
                )
            ).scalar_one()  # fmt: skip
            row = (await conn.execute(sa.select(digests).where(digests.c.id == new_id))).one()
        return _digest(row._mapping)

    async def list_digests(
        self, guild_id: int | None = None, *, channel_id: int | None = None
    ) -> list[Digest]:
        query = sa.select(digests).order_by(digests.c.id)
        if guild_id is not None:
            query = query.where(digests.c.guild_id == guild_id)
        if channel_id is not None:
            query = query.where(digests.c.channel_id == channel_id)
        async with self._read() as conn:
            return [_digest(r._mapping) for r in (await conn.execute(query)).all()]

    async def remove_digest(self, digest_id: int, *, guild_id: int) -> Digest | None:
        """Remove a digest of this server (its runs go with it); None when there is none."""
        async with self._write() as conn:
            row = (
                await conn.execute(
                    sa.select(digests).where(
                        digests.c.id == digest_id, digests.c.guild_id == guild_id
                    )  # fmt: skip
                )
            ).one_or_none()
            if row is None:
                return None
            await conn.execute(sa.delete(digest_runs).where(digest_runs.c.digest_id == digest_id))
            await conn.execute(sa.delete(digests).where(digests.c.id == digest_id))
        return _digest(row._mapping)

    async def last_period_end(self, digest_id: int) -> dt.datetime | None:
        """The end of the digest's latest period opened (sent or not)."""
        query = sa.select(sa.func.max(digest_runs.c.period_end)).where(
            digest_runs.c.digest_id == digest_id
        )
        async with self._read() as conn:
            return aware((await conn.execute(query)).scalar())

    async def open_due_runs(self, now: dt.datetime) -> int:
        """Open the run of each digest whose latest period ended by `now` and has none yet
        (a digest made after a period ended starts with the next one). Returns how many."""
        last = (
            sa.select(digest_runs.c.digest_id, sa.func.max(digest_runs.c.period_end).label("last"))
            .group_by(digest_runs.c.digest_id)
            .subquery()
        )
        query = sa.select(digests, last.c.last).outerjoin(last, last.c.digest_id == digests.c.id)
        async with self._read() as conn:
            rows = (await conn.execute(query)).all()
        opened = 0
        for row in rows:
            digest, previous = _digest(row._mapping), aware(row.last)
            try:
                fire = digest.schedule.latest_at(now)
                start = previous or digest.schedule.before(fire)
            except (CronSimError, StopIteration, zoneinfo.ZoneInfoNotFoundError, ValueError):
                log.warning("digest %s: its schedule cannot be evaluated", digest.id)
                continue
            if fire <= digest.created_at or (previous is not None and fire <= previous):
                continue
            opened += await self._open_run(digest.id, start, fire, now)
        return opened

    async def _open_run(
        self, digest_id: int, start: dt.datetime, end: dt.datetime, now: dt.datetime
    ) -> int:
        try:
            async with self._write() as conn:
                await conn.execute(
                    sa.insert(digest_runs).values(
                        digest_id=digest_id, period_start=to_db(start), period_end=to_db(end),
                        status=PENDING, nonce=run_nonce(digest_id, end), parts_sent=0,
                        attempts=0, next_attempt=to_db(now), created_at=to_db(now),
                    )
                )  # fmt: skip
        except IntegrityError:  # another worker opened this period first (or it was removed)
            return 0
        log.info("digest %s: period ending %s opened", digest_id, end.isoformat())
        return 1

    async def claim_due_runs(
        self, now: dt.datetime, owner: str, *, lease: float, limit: int = 20
    ) -> list[DigestRun]:
        """Claim the runs due now for `lease` seconds; each with its fencing token."""
        async with self._write() as conn:
            until = await _claim(conn, digest_runs, _due_runs(now, limit), owner, now, lease)
            rows = await conn.execute(
                _runs_select()
                .where(digest_runs.c.lease_owner == owner, digest_runs.c.lease_until == until)
                .order_by(digest_runs.c.id)
            )
            return [_run(r) for r in rows.all()]

    async def get_run(self, run_id: int) -> DigestRun | None:
        async with self._read() as conn:
            row = (await conn.execute(_runs_select().where(digest_runs.c.id == run_id))).first()
        return None if row is None else _run(row)

    async def record_run_content(
        self, run_id: int, content: dict[str, Any], token: int
    ) -> dict[str, Any] | None:
        """Record the run's stories before anything is sent (the first recorded is kept).
        Returns the recorded content; None when the claim was lost."""
        query = sa.update(digest_runs).where(
            digest_runs.c.id == run_id, digest_runs.c.lease_token == token,
            digest_runs.c.content.is_(None),
        )  # fmt: skip
        async with self._write() as conn:
            await conn.execute(query.values(content=content))
            row = (
                await conn.execute(
                    sa.select(digest_runs.c.content, digest_runs.c.lease_token).where(
                        digest_runs.c.id == run_id
                    )
                )
            ).one_or_none()
        if row is None or row.lease_token != token:
            return None
        return dict(row.content)

    async def mark_run_part(
        self, run_id: int, parts_sent: int, message_ids: list[int], token: int
    ) -> bool:
        """One more message of the run is on Discord (the lease stays: more follow)."""
        query = sa.update(digest_runs).where(
            digest_runs.c.id == run_id, digest_runs.c.lease_token == token
        )
        async with self._write() as conn:
            done = await conn.execute(query.values(parts_sent=parts_sent, message_ids=message_ids))
        return bool(done.rowcount)

    async def mark_run_sent(self, run_id: int, now: dt.datetime, token: int) -> bool:
        values = {"status": SENT, "sent_at": to_db(now), "last_error": None,
                  "attempts": digest_runs.c.attempts + 1}  # fmt: skip
        async with self._write() as conn:
            done = await conn.execute(_release(digest_runs, run_id, token).values(**values))
        return bool(done.rowcount)

    async def mark_run_retry(
        self, run_id: int, next_attempt: dt.datetime, error: str, token: int, *, give_up: bool
    ) -> bool:
        """Try again at `next_attempt`, or (give_up) record it failed."""
        values: dict[str, Any] = {
            "attempts": digest_runs.c.attempts + 1,
            "last_error": error[:1000],
            "next_attempt": to_db(next_attempt),
        }
        if give_up:
            values["status"] = FAILED
        async with self._write() as conn:
            done = await conn.execute(_release(digest_runs, run_id, token).values(**values))
        return bool(done.rowcount)

    async def list_runs(self, digest_id: int) -> list[DigestRun]:
        async with self._read() as conn:
            rows = await conn.execute(
                _runs_select()
                .where(digest_runs.c.digest_id == digest_id)
                .order_by(digest_runs.c.period_end)
            )
            return [_run(r) for r in rows.all()]

    async def period_items(
        self, digest: Digest, start: dt.datetime, end: dt.datetime, limit: int = PERIOD_ITEMS
    ) -> list[PeriodItem]:
        """The newest `limit` items first seen in (start, end] by a subscription of the
        digest's server to one of its feeds, and queued (or kept for the digest) there:
        what its filters, flood cap and pauses let through. Newest first."""
        subs = sa.select(subscriptions.c.id).where(subscriptions.c.guild_id == digest.guild_id)
        if digest.feed_ids is not None:
            subs = subs.where(subscriptions.c.feed_id.in_(list(digest.feed_ids)))
        seen = sa.func.min(item_fates.c.decided_at).label("seen")
        chosen = (
            sa.select(item_fates.c.item_id, seen)
            .where(
                item_fates.c.subscription_id.in_(subs), item_fates.c.item_id.is_not(None),
                item_fates.c.fate.in_((QUEUED, IN_DIGEST)),
                item_fates.c.decided_at > to_db(start), item_fates.c.decided_at <= to_db(end),
            )
            .group_by(item_fates.c.item_id)
            .subquery()
        )  # fmt: skip
        query = (
            sa.select(*[c.label("i_" + c.name) for c in items.c], feeds.c.title, chosen.c.seen)
            .join(chosen, chosen.c.item_id == items.c.id)
            .join(feeds, feeds.c.id == items.c.feed_id)
            .order_by(chosen.c.seen.desc(), items.c.id.desc())
            .limit(limit)
        )
        async with self._read() as conn:
            rows = (await conn.execute(query)).all()
        return [
            PeriodItem(stored_item(r._mapping, "i_"), r.title, aware(r.seen))  # type: ignore[arg-type]
            for r in rows
        ]
