"""Per-server settings (`/precis settings`) and what they caused: the posts skipped because
of the server's languages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from bot.feeds.database import Database
from bot.feeds.rows import server_defaults
from bot.feeds.schema import SKIPPED, deliveries, server_settings, subscriptions, to_db, utcnow
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

    async def mark_skipped(self, delivery_id: int, reason: str, token: int | None = None) -> bool:
        """A delivery not posted on purpose (its language): done, and visible in the list."""
        query = sa.update(deliveries).where(deliveries.c.id == delivery_id)
        if token is not None:
            query = query.where(deliveries.c.lease_token == token)
        async with self._write() as conn:
            done = await conn.execute(
                query.values(
                    status=SKIPPED,
                    last_error=reason[:1000],
                    lease_owner=None,
                    lease_until=None,
                    attempts=deliveries.c.attempts + 1,
                )
            )
        return bool(done.rowcount)

    async def skipped_counts(self, guild_id: int) -> dict[int, int]:
        """Subscription id -> how many of its items were skipped (the server's languages)."""
        query = (
            sa.select(deliveries.c.subscription_id, sa.func.count())
            .join(subscriptions, subscriptions.c.id == deliveries.c.subscription_id)
            .where(subscriptions.c.guild_id == guild_id, deliveries.c.status == SKIPPED)
            .group_by(deliveries.c.subscription_id)
        )
        async with self._read() as conn:
            return {sub_id: count for sub_id, count in (await conn.execute(query)).all()}
