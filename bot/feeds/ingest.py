"""Feeds and what a poll records: new items (seen once, queued per subscription), the
feed's state (ETag, title, failures), and the notices a poll causes — each poll's changes
in one transaction, so a crash can neither lose an item nor record it twice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.feeds.database import Database
from bot.feeds.digest_store import digest_only, in_digest_reason
from bot.feeds.fates import record_fates
from bot.feeds.filters import poll_verdicts
from bot.feeds.queue import add_notice, enqueue, notify_subscribers
from bot.feeds.rows import FailureResult, FeedRow, FeedState, IngestResult, feed_row
from bot.feeds.schema import (
    BACKLOG,
    DUPLICATE,
    FILTERED,
    FLOOD,
    IN_DIGEST,
    PAUSED_FATE,
    QUEUED,
    aware,
    chunks,
    feeds,
    items,
    subscriptions,
    to_db,
    unleased,
    utcnow,
)
from bot.ingest.feeds import FeedItem


class FeedQueries(Database):
    async def get_feed(self, feed_id: int) -> FeedRow | None:
        async with self._read() as conn:
            row = (await conn.execute(sa.select(feeds).where(feeds.c.id == feed_id))).first()
        return feed_row(row) if row else None

    async def get_feed_by_url(self, url: str) -> FeedRow | None:
        async with self._read() as conn:
            row = (await conn.execute(sa.select(feeds).where(feeds.c.url == url))).first()
        return feed_row(row) if row else None

    def _active_feed_clause(self) -> sa.ColumnElement[bool]:
        return sa.exists(
            sa.select(subscriptions.c.id).where(
                subscriptions.c.feed_id == feeds.c.id, subscriptions.c.paused == sa.false()
            )
        )

    def _due_feeds_query(self, now: dt.datetime, limit: int) -> sa.Select[Any]:
        """Feeds with at least one active subscription whose next poll is due and that
        nobody is polling (no live lease), oldest due first."""
        return (
            sa.select(feeds)
            .where(
                feeds.c.next_poll <= to_db(now),
                self._active_feed_clause(),
                unleased(feeds, now),
            )
            .order_by(feeds.c.next_poll)
            .limit(limit)
        )

    async def due_feeds(self, now: dt.datetime, limit: int) -> list[FeedRow]:
        """What is due and unclaimed (read only: `claim_due_feeds` takes it)."""
        async with self._read() as conn:
            rows = (await conn.execute(self._due_feeds_query(now, limit))).all()
        return [feed_row(r) for r in rows]

    async def claim_due_feeds(
        self, now: dt.datetime, owner: str, *, lease: float, limit: int
    ) -> list[FeedRow]:
        """Claim due feeds for `lease` seconds: the poll's outcome (record_success or
        record_failure) releases the lease; a worker that died lets it expire.

        One UPDATE that re-checks the lease on each row, so two workers (two processes on
        one SQLite file, too) cannot both read a feed as free and both take it; on
        PostgreSQL the picked rows are locked and rows another claim holds are skipped
        (FOR UPDATE SKIP LOCKED)."""
        due = self._due_feeds_query(now, limit).with_only_columns(feeds.c.id)
        picked = due.with_for_update(skip_locked=True, of=feeds).correlate(None)
        until = to_db(now + dt.timedelta(seconds=lease))
        claimed = sa.select(feeds).where(feeds.c.lease_owner == owner, feeds.c.lease_until == until)
        async with self._write() as conn:
            await conn.execute(
                sa.update(feeds)
                .where(feeds.c.id.in_(picked), unleased(feeds, now))
                .values(lease_owner=owner, lease_until=until)
            )
            rows = (await conn.execute(claimed.order_by(feeds.c.next_poll, feeds.c.id))).all()
        return [feed_row(r) for r in rows]

    async def next_poll_at(self, now: dt.datetime | None = None) -> dt.datetime | None:
        """When the next unclaimed feed with an active subscription is due."""
        query = sa.select(sa.func.min(feeds.c.next_poll)).where(
            self._active_feed_clause(), unleased(feeds, now or utcnow())
        )
        async with self._read() as conn:
            value = (await conn.execute(query)).scalar()
        return aware(value)

    async def list_feeds(self) -> list[FeedRow]:
        async with self._read() as conn:
            rows = (await conn.execute(sa.select(feeds).order_by(feeds.c.id))).all()
        return [feed_row(r) for r in rows]

    async def set_next_poll(self, feed_id: int, when: dt.datetime) -> None:
        async with self._write() as conn:
            await conn.execute(
                sa.update(feeds).where(feeds.c.id == feed_id).values(next_poll=to_db(when))
            )

    async def record_success(
        self,
        feed_id: int,
        *,
        now: dt.datetime,
        next_poll: dt.datetime,
        state: FeedState | None,
        items: Sequence[FeedItem] | None,
        max_per_poll: int,
        quiet: bool = False,
        claim: tuple[str, dt.datetime] | None = None,
    ) -> IngestResult:
        """A poll worked: record new items, queue their deliveries, update the feed — atomically.

        `state` / `items` are None when the server answered 304. With `quiet`, new items are
        only marked seen (e.g. catching up a feed whose subscriptions were all paused).
        `claim` (worker, lease expiry): when another claim took the feed over, nothing is
        recorded (stale)."""
        async with self._write() as conn:
            feed = await _feed_for_update(conn, feed_id)
            if feed is None or _taken_over(feed, claim):
                return IngestResult(stale=feed is not None)
            result = IngestResult()
            if items is not None:
                result = await ingest_items(
                    conn, feed_id, feed.title if state is None else (state.title or feed.title),
                    items, now=now, max_per_poll=max_per_poll, quiet=quiet,
                )  # fmt: skip
            values: dict[str, Any] = {
                "lease_owner": None,
                "lease_until": None,
                "last_attempt": to_db(now),
                "last_success": to_db(now),
                "failure_count": 0,
                "failing_since": None,
                "last_error": None,
                "failure_notified": False,
                "next_poll": to_db(next_poll),
            }
            if state is not None:
                values.update(etag=state.etag, last_modified=state.last_modified)
                if state.title:
                    values["title"] = state.title[:256]
                if state.site_link:
                    values["site_link"] = state.site_link
            if items is not None:
                values["item_count"] = len(items)
            await conn.execute(sa.update(feeds).where(feeds.c.id == feed_id).values(**values))
            recovered = bool(feed.failure_notified)
            if recovered:
                title = values.get("title", feed.title)
                await notify_subscribers(conn, feed_id, "recovered", {"title": title}, now)
            return IngestResult(
                new_items=result.new_items,
                queued=result.queued,
                capped=result.capped,
                recovered=recovered,
                churned=result.churned,
            )

    async def record_failure(
        self,
        feed_id: int,
        *,
        now: dt.datetime,
        error: str,
        next_poll: dt.datetime,
        notice_after: int,
        claim: tuple[str, dt.datetime] | None = None,
    ) -> FailureResult:
        """A poll failed: count it, schedule the next try; at the threshold, tell the channels
        (`claim` as for record_success)."""
        async with self._write() as conn:
            feed = await _feed_for_update(conn, feed_id)
            if feed is None or _taken_over(feed, claim):
                return FailureResult(0, False, stale=feed is not None)
            failures = feed.failure_count + 1
            since = feed.failing_since or to_db(now)
            notify = failures >= notice_after and not feed.failure_notified
            await conn.execute(
                sa.update(feeds)
                .where(feeds.c.id == feed_id)
                .values(
                    lease_owner=None,
                    lease_until=None,
                    last_attempt=to_db(now),
                    failure_count=failures,
                    failing_since=since,
                    last_error=error[:1000],
                    next_poll=to_db(next_poll),
                    failure_notified=feed.failure_notified or notify,
                )
            )
            if notify:
                started = aware(since)
                params = {"title": feed.title, "failures": failures, "error": error[:300],
                          "since": started.isoformat() if started else None}  # fmt: skip
                await notify_subscribers(conn, feed_id, "failing", params, now)
            return FailureResult(failures, notify)


async def _feed_for_update(conn: AsyncConnection, feed_id: int) -> Any:
    """The feed's row, locked until the transaction ends (PostgreSQL; SQLite's one writer
    is lock enough): a claim cannot take it over between the check and the write."""
    query = sa.select(feeds).where(feeds.c.id == feed_id).with_for_update()
    return (await conn.execute(query)).first()


def _taken_over(feed: Any, claim: tuple[str, dt.datetime] | None) -> bool:
    if claim is None:  # a poll outside the claims (/feed add, a quiet catch-up, tools)
        return False
    return (feed.lease_owner, aware(feed.lease_until)) != claim


async def ingest_items(
    conn: AsyncConnection,
    feed_id: int,
    feed_title: str,
    batch: Sequence[FeedItem],
    *,
    now: dt.datetime,
    max_per_poll: int,
    quiet: bool,
) -> IngestResult:
    """Insert the items not seen before (by key, then by title + link), queue them."""
    keys = [it.key for it in batch]
    prints = [it.fingerprint for it in batch if it.fingerprint]
    known_keys, known_prints = await _known(conn, feed_id, keys, prints)
    fresh, dups = _fresh(batch, known_keys, known_prints)
    churned = len(dups)
    await _touch(conn, feed_id, keys, prints, now)
    if dups and not quiet:
        await _record_duplicates(conn, feed_id, dups, now)
    if not fresh:
        return IngestResult(churned=churned)
    ids = await _insert_items(conn, feed_id, fresh, now)
    await _record_paused(conn, feed_id, fresh, ids, now)
    if quiet:
        return IngestResult(new_items=len(fresh), churned=churned)
    queued, capped = await _queue_for_subscribers(
        conn, feed_id, feed_title, fresh, ids, now=now, max_per_poll=max_per_poll
    )
    return IngestResult(new_items=len(fresh), queued=queued, capped=capped, churned=churned)


async def _active_subscriptions(conn: AsyncConnection, feed_id: int) -> Sequence[Any]:
    query = sa.select(subscriptions).where(
        subscriptions.c.feed_id == feed_id, subscriptions.c.paused == sa.false()
    )
    return (await conn.execute(query)).all()


async def _record_paused(
    conn: AsyncConnection, feed_id: int, fresh: list[FeedItem], ids: dict[str, int],
    now: dt.datetime,
) -> None:  # fmt: skip
    """New items a paused subscription will never post (a resume starts after them)."""
    paused = await conn.execute(
        sa.select(subscriptions.c.id).where(
            subscriptions.c.feed_id == feed_id, subscriptions.c.paused == sa.true()
        )
    )
    decided = [(it, PAUSED_FATE, "new while the subscription was paused") for it in fresh]
    for (sub_id,) in paused.all():
        await record_fates(conn, sub_id, decided, ids, now, order=fresh)


async def _record_duplicates(
    conn: AsyncConnection, feed_id: int, dups: list[FeedItem], now: dt.datetime
) -> None:
    """Items seen again under a new GUID (same title + link): recorded once per
    subscription under their fingerprint, so a GUID that changes on every fetch adds no
    row per fetch."""
    key_of = {it.key: it.fingerprint or it.key for it in dups}
    decided = [(it, DUPLICATE, "same title and link as an item already seen") for it in dups]
    for sub in await _active_subscriptions(conn, feed_id):
        await record_fates(conn, sub.id, decided, {}, now, key_of=key_of)


async def _known(
    conn: AsyncConnection, feed_id: int, keys: list[str], prints: list[str]
) -> tuple[set[str], set[str]]:
    """The keys and fingerprints (title + link) of these items already recorded."""
    known_keys: set[str] = set()
    known_prints: set[str] = set()
    for chunk in chunks(keys):
        rows = await conn.execute(
            sa.select(items.c.key, items.c.fingerprint).where(
                items.c.feed_id == feed_id, items.c.key.in_(chunk)
            )
        )
        for key, fp in rows.all():
            known_keys.add(key)
            if fp:
                known_prints.add(fp)
    for chunk in chunks(prints):
        rows = await conn.execute(
            sa.select(items.c.fingerprint).where(
                items.c.feed_id == feed_id, items.c.fingerprint.in_(chunk)
            )
        )
        known_prints.update(row[0] for row in rows.all())
    return known_keys, known_prints


def _fresh(
    batch: Sequence[FeedItem], known_keys: set[str], known_prints: set[str]
) -> tuple[list[FeedItem], list[FeedItem]]:
    """The items never seen, and those that only changed their GUID."""
    fresh: list[FeedItem] = []
    churned: list[FeedItem] = []
    batch_prints: set[str] = set()
    for it in batch:
        if it.key in known_keys:
            continue
        if it.fingerprint and (
            it.fingerprint in known_prints or it.fingerprint in batch_prints
        ):
            churned.append(it)  # same title + link under a new GUID: not a new item
            continue
        if it.fingerprint:
            batch_prints.add(it.fingerprint)
        fresh.append(it)
    return fresh, churned


async def _touch(
    conn: AsyncConnection, feed_id: int, keys: list[str], prints: list[str], now: dt.datetime
) -> None:
    """Remember that these are still in the feed (retention keeps them while they are)."""
    for chunk in chunks(keys):
        await conn.execute(
            sa.update(items)
            .where(items.c.feed_id == feed_id, items.c.key.in_(chunk))
            .values(last_seen=to_db(now))
        )
    for chunk in chunks(prints):
        await conn.execute(
            sa.update(items)
            .where(items.c.feed_id == feed_id, items.c.fingerprint.in_(chunk))
            .values(last_seen=to_db(now))
        )


async def _queue_for_subscribers(
    conn: AsyncConnection,
    feed_id: int,
    feed_title: str,
    fresh: list[FeedItem],
    ids: dict[str, int],
    *,
    now: dt.datetime,
    max_per_poll: int,
) -> tuple[int, dict[int, int]]:
    """Queue the new items for each active subscription that wants them; a flood is cut
    to the newest `max_per_poll` and the channel told."""
    queued = 0
    capped: dict[int, int] = {}
    for sub in await _active_subscriptions(conn, feed_id):
        decided, wanted = sort_by_filters(fresh, sub.filter)
        for it, _, reason in decided:  # recorded, so "why wasn't it posted" has an answer
            await enqueue(conn, sub.id, [ids[it.key]], now, status=FILTERED, reason=reason)
        digest = await digest_only(conn, sub.guild_id, sub.channel_id, feed_id)
        if digest is not None:  # the channel's digest takes them: no post, no flood cap
            decided += [(it, IN_DIGEST, in_digest_reason(digest)) for it in wanted]
            await record_fates(conn, sub.id, decided, ids, now, order=fresh)
            continue
        if max_per_poll > 0 and len(wanted) > max_per_poll:
            capped[sub.id] = len(wanted) - max_per_poll
            params = {"title": feed_title, "total": len(wanted), "posted": max_per_poll}
            await add_notice(conn, sub.guild_id, sub.channel_id, sub.id, "flood", params, now)
            over = f"{len(wanted)} new items in one poll; the newest {max_per_poll} were posted"
            decided += [(it, FLOOD, over) for it in wanted[:-max_per_poll]]
            wanted = wanted[-max_per_poll:]
        decided += [(it, QUEUED, None) for it in wanted]
        await record_fates(conn, sub.id, decided, ids, now, order=fresh)
        queued += await enqueue(conn, sub.id, [ids[it.key] for it in wanted], now)
    return queued, capped


def sort_by_filters(
    fresh: Sequence[FeedItem], expression: str | None
) -> tuple[list[tuple[FeedItem, str, str | None]], list[FeedItem]]:
    """(the items the subscription's filter already leaves out on what the feed says, as
    fates with the failing clause; the items wanted — those it passes, or that need their
    summary to decide, which delivery does)."""
    decided: list[tuple[FeedItem, str, str | None]] = []
    wanted: list[FeedItem] = []
    for it, reason in zip(fresh, poll_verdicts(expression, fresh), strict=True):
        if reason is None:
            wanted.append(it)
        else:
            decided.append((it, FILTERED, reason))
    return decided, wanted


def backlog_fates(
    items_now: Sequence[FeedItem], taken: Sequence[FeedItem]
) -> list[tuple[FeedItem, str, str | None]]:
    """A new subscription's view of the items already in the feed: the ones it takes are
    queued, the others are older than the subscription."""
    keys = {it.key for it in taken}
    return [
        (it, QUEUED, None) if it.key in keys
        else (it, BACKLOG, "already in the feed when the subscription was made")
        for it in items_now
    ]  # fmt: skip


async def _insert_items(
    conn: AsyncConnection, feed_id: int, fresh: Sequence[FeedItem], now: dt.datetime
) -> dict[str, int]:
    """Insert oldest first, so item ids order deliveries oldest first."""
    ids: dict[str, int] = {}
    stamp = to_db(now)
    for it in fresh:
        new_id = (
            await conn.execute(
                sa.insert(items)
                .values(
                    feed_id=feed_id,
                    key=it.key,
                    fingerprint=it.fingerprint,
                    guid=it.guid,
                    link=it.link,
                    title=it.title,
                    published=to_db(it.published),
                    author=it.author,
                    content=it.content_html,
                    image=it.image,
                    categories=list(it.categories) or None,
                    first_seen=stamp,
                    last_seen=stamp,
                )
                .returning(items.c.id)
            )
        ).scalar_one()
        ids[it.key] = new_id
    return ids
