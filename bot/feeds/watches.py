"""Entity watches: a server follows a person, place or organization across every feed it
follows (`/watch add`), and a notice goes to a channel when a posted item names it.

When a delivery is posted, the deliverer matches the server's watches against the item's
key entities (`bot.nlp.watch_match`: on the entity, never the text) and records each hit
*before* marking the delivery sent, in one transaction with its notice. A restart that
posts the same item again (its nonce makes Discord return the same message) finds the hit
already there and fires nothing; the notice itself is sent with a nonce derived from
(watch, item), so a notice sent twice after a crash is one message.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from bot.errors import InputError
from bot.feeds.database import Database
from bot.feeds.queue import add_notice
from bot.feeds.schema import aware, to_db, watch_hits, watches
from bot.models import Entity, Summary
from bot.nlp.watch_match import matching_entity

MAX_WATCHES = 25  # per server (one page of autocomplete)


@dataclass(frozen=True)
class Watch:
    id: int
    guild_id: int
    channel_id: int
    name: str
    kind: str | None  # person | place | organization; None: any
    role_id: int | None
    created_at: dt.datetime


@dataclass(frozen=True)
class WatchHit:
    watch: Watch
    entity: Entity  # the item's entity that matched


def watch_nonce(watch_id: int, item_key: str) -> str:
    """Deterministic Discord nonce (25 characters) of one watch's notice for one item."""
    return hashlib.sha256(f"precis-watch:{watch_id}:{item_key}".encode()).hexdigest()[:25]


def _watch(row: Any) -> Watch:
    return Watch(
        id=row.id, guild_id=int(row.guild_id), channel_id=int(row.channel_id), name=row.name,
        kind=row.kind or None, role_id=None if row.role_id is None else int(row.role_id),
        created_at=aware(row.created_at) or dt.datetime.now(dt.UTC),
    )  # fmt: skip


def match_watches(found: Sequence[Watch], summary: Summary) -> list[WatchHit]:
    """The watches an item's key entities fire (CPU work: run it off the event loop)."""
    hits = []
    for watch in found:
        entity = matching_entity(watch.name, watch.kind, summary.entities, summary.language)
        if entity is not None:
            hits.append(WatchHit(watch, entity))
    return hits


class WatchQueries(Database):
    async def add_watch(
        self, *, guild_id: int, channel_id: int, name: str, kind: str | None,
        role_id: int | None, created_by: int | None, now: dt.datetime,
    ) -> Watch:  # fmt: skip
        """A new watch; InputError when the server has the same one or too many."""
        async with self._write() as conn:
            rows = (await conn.execute(sa.select(watches).where(watches.c.guild_id == guild_id)))
            existing = [_watch(r) for r in rows.all()]
            for w in existing:
                same = w.name.casefold() == name.casefold() and w.kind == kind
                if same and w.channel_id == channel_id:
                    raise InputError(f"That watch exists already: `#{w.id}`.")
            if len(existing) >= MAX_WATCHES:
                raise InputError(f"This server has {MAX_WATCHES} watches, the most it may "
                                 "have: remove one first (`/watch remove`).")  # fmt: skip
            new_id = (
                await conn.execute(
                    sa.insert(watches).values(
                        guild_id=guild_id, channel_id=channel_id, name=name, kind=kind or "",
                        role_id=role_id, created_at=to_db(now), created_by=created_by,
                    ).returning(watches.c.id)
                )
            ).scalar_one()  # fmt: skip
            row = (await conn.execute(sa.select(watches).where(watches.c.id == new_id))).one()
        return _watch(row)

    async def list_watches(self, guild_id: int) -> list[Watch]:
        query = sa.select(watches).where(watches.c.guild_id == guild_id).order_by(watches.c.id)
        async with self._read() as conn:
            return [_watch(r) for r in (await conn.execute(query)).all()]

    async def remove_watch(self, watch_id: int, *, guild_id: int) -> Watch | None:
        where = sa.and_(watches.c.id == watch_id, watches.c.guild_id == guild_id)
        async with self._write() as conn:
            row = (await conn.execute(sa.select(watches).where(where))).first()
            if row is None:
                return None
            await conn.execute(sa.delete(watch_hits).where(watch_hits.c.watch_id == watch_id))
            await conn.execute(sa.delete(watches).where(where))
        return _watch(row)

    async def record_watch_hits(
        self, hits: Sequence[WatchHit], *, item_id: int, item_key: str,
        params: dict[str, Any], now: dt.datetime,
    ) -> int:  # fmt: skip
        """Record each hit not recorded yet, with its notice (one transaction); returns how
        many fired now. `params`: the post (its title, feed, link) every notice quotes."""
        fired = 0
        async with self._write() as conn:
            for hit in hits:
                w = hit.watch
                seen = await conn.execute(
                    sa.select(watch_hits.c.id).where(
                        watch_hits.c.watch_id == w.id, watch_hits.c.item_id == item_id
                    )
                )
                if seen.first() is not None:
                    continue  # fired already (a repeat after a restart)
                await conn.execute(
                    sa.insert(watch_hits).values(watch_id=w.id, item_id=item_id,
                                                 created_at=to_db(now))  # fmt: skip
                )
                notice = {**params, "name": w.name, "entity": hit.entity.text,
                          "kind": hit.entity.type, "role_id": w.role_id,
                          "nonce": watch_nonce(w.id, item_key)}  # fmt: skip
                await add_notice(conn, w.guild_id, w.channel_id, None, "watch", notice, now)
                fired += 1
        return fired
