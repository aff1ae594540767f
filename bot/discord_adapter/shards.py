"""Shards: several `precis run` processes split the gateway (SHARD_COUNT, SHARD_IDS).

Discord sends each guild's events — its interactions too — on one shard only, shard
`(guild_id >> 22) % shard_count`, so a process answers the commands of the guilds of its
shards. REST needs no shard: any process can post into any channel.

One process is the *primary*: the one that connects shard 0 (or every shard, when
SHARD_IDS is unset). It alone syncs the slash commands (the others would only repeat the
same request to Discord) and runs the feed loops (scheduler, deliverer): several processes
polling one SQLite file would contend for its single writer, and per-host politeness holds
within a process; to spread feed work over processes, use PostgreSQL and `precis worker`.
"""

from __future__ import annotations

import logging
from typing import Any

from config.settings import Settings

log = logging.getLogger("precis.bot")


def shard_options(settings: Settings) -> dict[str, Any]:
    """discord.py's AutoShardedClient arguments: shard_count None asks Discord
    (GET /gateway/bot) for the recommended number, and connects all of them."""
    count = settings.shard_count
    return {
        "shard_count": count if isinstance(count, int) else None,
        "shard_ids": list(settings.shard_ids) if settings.shard_ids else None,
    }


def is_primary(settings: Settings) -> bool:
    """This process syncs the commands and runs the feed loops (see the module's docstring)."""
    return not settings.shard_ids or 0 in settings.shard_ids


def describe(settings: Settings) -> str:
    """One log line's worth: which shards this process connects."""
    count = settings.shard_count
    if count is None:
        return "one unsharded gateway connection"
    if count == "auto":
        return "every shard Discord recommends (SHARD_COUNT=auto)"
    ids = settings.shard_ids or list(range(count))
    return f"shard(s) {', '.join(map(str, ids))} of {count}"
