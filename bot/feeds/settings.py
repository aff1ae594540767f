"""Per-server settings (`/precis settings`) and what they caused: the posts skipped because
of the server's languages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from bot.feeds.database import Database
from bot.feeds.rows import StoredItem, server_defaults, stored_item
from bot.feeds.schema import (
    SKIPPED,
    deliveries,
    items,
    server_settings,
    subscriptions,
    to_db,
    utcnow,
)
from bot.server_settings import ServerDefaults

# What `set_server_settings` may change (a value of None clears it back to the default).
SETTING_NAMES = ("sentences", "entities", "color", "languages")


class SettingsQueries(Database):
    async def get_server_settings(self, guild_id: int | None) -> ServerDefaults:
        """The server's own defaults; a server that set nothing (or no server) gets none."""
        if guild_id is None:
            return ServerDefaults()
        query = sa.select(server_settings).where(server_settings.c.guild_id == guild_id)
        async with self._read() as conn:
            row = (await conn.execute(query)).first()
        return server_defaults(row._mapping) if row else ServerDefaults()

    async def set_server_settings(
        self,
        guild_id: int,
        changes: dict[str, Any],
        *,
        updated_by: int | None = None,
        now: dt.datetime | None = None,
    ) -> ServerDefaults:
        """Change some of a server's settings (others stay as they are); returns them all."""
        unknown = set(changes) - set(SETTING_NAMES)
        if unknown:
            raise ValueError(f"unknown server settings: {sorted(unknown)}")
        values = dict(changes)
        if "languages" in values:
            values["languages"] = list(values["languages"] or ()) or None
        stamp = to_db(now or utcnow())
        async with self._write() as conn:
            found = (
                await conn.execute(
                    sa.select(server_settings.c.guild_id).where(
                        server_settings.c.guild_id == guild_id
                    )
                )
            ).first()
            if found is None:
                await conn.execute(
                    sa.insert(server_settings).values(
                        guild_id=guild_id, updated_at=stamp, updated_by=updated_by, **values
                    )
                )
            else:
                await conn.execute(
                    sa.update(server_settings)
                    .where(server_settings.c.guild_id == guild_id)
                    .values(updated_at=stamp, updated_by=updated_by, **values)
                )
        return await self.get_server_settings(guild_id)

    async def mark_skipped(
        self, delivery_id: int, reason: str, token: int | None = None, status: str = SKIPPED
    ) -> bool:
        """A delivery not posted on purpose: its language (SKIPPED) or the subscription's
        filter (FILTERED, `reason` the clause that failed); done, and visible in the list."""
        query = sa.update(deliveries).where(deliveries.c.id == delivery_id)
        if token is not None:
            query = query.where(deliveries.c.lease_token == token)
        async with self._write() as conn:
            done = await conn.execute(
                query.values(
                    status=status,
                    last_error=reason[:1000],
                    lease_owner=None,
                    lease_until=None,
                    attempts=deliveries.c.attempts + 1,
                )
            )
        return bool(done.rowcount)

    async def skipped_counts(self, guild_id: int, status: str = SKIPPED) -> dict[int, int]:
        """Subscription id -> how many of its items were skipped (the server's languages),
        or with `status` FILTERED, left out by its filter."""
        query = (
            sa.select(deliveries.c.subscription_id, sa.func.count())
            .join(subscriptions, subscriptions.c.id == deliveries.c.subscription_id)
            .where(subscriptions.c.guild_id == guild_id, deliveries.c.status == status)
            .group_by(deliveries.c.subscription_id)
        )
        async with self._read() as conn:
            return {sub_id: count for sub_id, count in (await conn.execute(query)).all()}

    async def set_subscription_fields(
        self, subscription_id: int, guild_id: int, values: dict[str, Any]
    ) -> bool:
        """Set a subscription's filter (`filter`), mention (`mention_role_id`,
        `mention_when`) or grouping (`group_stories`); False when the server has no such
        subscription."""
        allowed = {"filter", "mention_role_id", "mention_when", "group_stories"}
        assert set(values) <= allowed, set(values) - allowed
        query = (
            sa.update(subscriptions)
            .where(subscriptions.c.id == subscription_id, subscriptions.c.guild_id == guild_id)
            .values(**values)
        )
        async with self._write() as conn:
            return bool((await conn.execute(query)).rowcount)

    async def latest_items(self, feed_id: int, limit: int = 20) -> list[StoredItem]:
        """The feed's newest items as recorded, newest first."""
        query = (
            sa.select(items).where(items.c.feed_id == feed_id)
            .order_by(items.c.id.desc()).limit(limit)
        )  # fmt: skip
        async with self._read() as conn:
            rows = (await conn.execute(query)).all()
        return [stored_item(r._mapping) for r in rows]
