"""What several worker processes share besides the queue: per-host politeness slots and
Discord's rate-limit buckets, both in the database so they hold across every worker.

Host slots: a host has N slot rows; a fetch holds one under a lease (its worker's name and
an expiry), so at most N fetches to one host run at once whoever runs them, and a slot a
killed worker held is free again when its lease runs out (or at once when that worker
restarts under the same name: `release_leases`).

Discord buckets: each worker records what Discord's answers say of a route (requests
left, when that resets; a 429's Retry-After, global or not) and asks before each request
(`reserve_discord`): a route or the whole bot that another worker found exhausted makes
this one wait, and the global budget (requests per second for the bot) is counted for all
workers together. Times are epoch seconds (the workers' clocks are assumed in sync, NTP).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.feeds.database import Database
from bot.feeds.schema import GLOBAL_BUCKET, discord_buckets, host_slots, to_db, unleased


async def _ensure_rows(conn: AsyncConnection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert the rows that are not there yet (another worker may insert them meanwhile)."""
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    await conn.execute(insert(table).values(rows).on_conflict_do_nothing())


class SharedQueries(Database):
    # ------------------------------------------------------------------ host slots

    async def take_host_slot(
        self,
        host: str,
        limit: int,
        owner: str,
        *,
        lease: float,
        now: dt.datetime,
        ensure: bool = True,
    ) -> int | None:
        """Lease a free slot of `host` (one of `limit`) for `lease` seconds: its number, or
        None when all are held. `ensure`: create the host's slot rows first (needed once)."""
        host = host[:255]
        until = to_db(now + dt.timedelta(seconds=lease))
        async with self._write() as conn:
            if ensure:
                rows = [{"host": host, "slot": n} for n in range(limit)]
                await _ensure_rows(conn, host_slots, rows)
            free = (
                sa.select(host_slots.c.slot)
                .where(host_slots.c.host == host, host_slots.c.slot < limit)
                .where(unleased(host_slots, now))
                .order_by(host_slots.c.slot)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            slot = (await conn.execute(free)).scalar()
            if slot is None:
                return None
            await conn.execute(
                sa.update(host_slots)
                .where(host_slots.c.host == host, host_slots.c.slot == slot)
                .values(lease_owner=owner, lease_until=until)
            )
        return int(slot)

    async def give_host_slot(self, host: str, slot: int, owner: str) -> None:
        """Free a slot this worker holds (a slot taken over after its lease ran out is
        left to its new holder)."""
        async with self._write() as conn:
            await conn.execute(
                sa.update(host_slots)
                .where(
                    host_slots.c.host == host[:255],
                    host_slots.c.slot == slot,
                    host_slots.c.lease_owner == owner,
                )
                .values(lease_owner=None, lease_until=None)
            )

    async def busy_host_slots(self, host: str, now: dt.datetime) -> int:
        query = sa.select(sa.func.count()).where(
            host_slots.c.host == host[:255], ~unleased(host_slots, now)
        )
        async with self._read() as conn:
            return int((await conn.execute(query)).scalar() or 0)

    # ------------------------------------------------------------------ Discord buckets

    async def reserve_discord(self, key: str, now: float, per_second: int) -> float:
        """May a request on route `key` go now? 0: yes (counted against the route and the
        global budget); else the seconds to wait before asking again."""
        async with self._write() as conn:
            await _ensure_rows(conn, discord_buckets, [{"key": key}, {"key": GLOBAL_BUCKET}])
            rows = (
                await conn.execute(
                    sa.select(discord_buckets)
                    .where(discord_buckets.c.key.in_([key, GLOBAL_BUCKET]))
                    .order_by(discord_buckets.c.key)  # one lock order for every worker
                    .with_for_update()
                )
            ).all()
            found = {row.key: row for row in rows}
            route, glob = found[key], found[GLOBAL_BUCKET]
            wait = max(_exhausted(route, now), _exhausted(glob, now))
            start, count = glob.window_start, glob.window_count
            if start is None or now - start >= 1.0 or now < start:
                start, count = now, 0
            if count >= per_second:
                wait = max(wait, start + 1.0 - now)
            if wait > 0:
                return wait
            await conn.execute(
                sa.update(discord_buckets)
                .where(discord_buckets.c.key == GLOBAL_BUCKET)
                .values(window_start=start, window_count=count + 1)
            )
            if route.remaining is not None and (route.reset_at or 0) > now:
                await conn.execute(
                    sa.update(discord_buckets)
                    .where(discord_buckets.c.key == key)
                    .values(remaining=route.remaining - 1)
                )
        return 0.0

    async def record_discord(self, key: str, remaining: int | None, reset_at: float) -> None:
        """What an answer said of a route (`key`, or GLOBAL_BUCKET for a global 429)."""
        async with self._write() as conn:
            await _ensure_rows(conn, discord_buckets, [{"key": key}])
            await conn.execute(
                sa.update(discord_buckets)
                .where(discord_buckets.c.key == key)
                .values(remaining=remaining, reset_at=reset_at)
            )


def _exhausted(row: Any, now: float) -> float:
    """Seconds until the bucket `row` has room again (0: it has)."""
    if row.remaining is None or row.reset_at is None or row.remaining > 0:
        return 0.0
    return max(0.0, float(row.reset_at) - now)
