"""The emulator's world: users, guilds, channels, messages, interactions, commands.

Everything is kept as Discord-shaped JSON dicts (what the REST API and the gateway send),
plus a little bookkeeping that only tests read (ephemeral flag, allowed_mentions, edits).
"""

from __future__ import annotations

import asyncio
import itertools
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1420070400000

# Permissions a freshly invited bot typically has in a text channel.
P_ADD_REACTIONS = 1 << 6
P_VIEW_CHANNEL = 1 << 10
P_SEND_MESSAGES = 1 << 11
P_EMBED_LINKS = 1 << 14
P_ATTACH_FILES = 1 << 15
P_READ_MESSAGE_HISTORY = 1 << 16
P_USE_EXTERNAL_EMOJIS = 1 << 18
P_USE_APPLICATION_COMMANDS = 1 << 31
P_CREATE_PUBLIC_THREADS = 1 << 35
P_SEND_MESSAGES_IN_THREADS = 1 << 38
DEFAULT_PERMISSIONS = (
    P_ADD_REACTIONS
    | P_VIEW_CHANNEL
    | P_SEND_MESSAGES
    | P_EMBED_LINKS
    | P_ATTACH_FILES
    | P_READ_MESSAGE_HISTORY
    | P_USE_EXTERNAL_EMOJIS
    | P_USE_APPLICATION_COMMANDS
    | P_SEND_MESSAGES_IN_THREADS
    | P_CREATE_PUBLIC_THREADS
)
SEND_DENY = P_SEND_MESSAGES | P_EMBED_LINKS | P_ATTACH_FILES | P_SEND_MESSAGES_IN_THREADS
THREAD_DENY = P_CREATE_PUBLIC_THREADS | P_SEND_MESSAGES_IN_THREADS

# Channel types and flags
TEXT, PUBLIC_THREAD, PRIVATE_THREAD, FORUM = 0, 11, 12, 15
THREAD_TYPES = (PUBLIC_THREAD, PRIVATE_THREAD)
CHANNEL_REQUIRE_TAG = 1 << 4
MESSAGE_HAS_THREAD = 1 << 5

# Message flags
FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7

# Gateway intents that matter here
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_MESSAGE_CONTENT = 1 << 15

OPTION_TYPES = {
    "sub_command": 1,
    "sub_command_group": 2,
    "string": 3,
    "integer": 4,
    "boolean": 5,
    "user": 6,
    "channel": 7,
    "role": 8,
    "mentionable": 9,
    "number": 10,
    "attachment": 11,
}


def iso(ts: float | None = None) -> str:
    return datetime.fromtimestamp(time.time() if ts is None else ts, UTC).isoformat()


class Snowflakes:
    """Real-looking snowflakes (discord.py derives timestamps from them)."""

    def __init__(self) -> None:
        self._inc = itertools.count()

    def next(self) -> int:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return (ms << 22) | (1 << 17) | (next(self._inc) & 0xFFF)


@dataclass
class Channel:
    id: int
    guild_id: int
    name: str
    position: int
    type: int = 0
    topic: str | None = None
    can_send: bool = True
    deleted: bool = False
    message_ids: list[int] = field(default_factory=list)
    can_thread: bool = True  # may the bot create public threads and post in them
    flags: int = 0  # CHANNEL_REQUIRE_TAG for a forum
    available_tags: list[dict[str, Any]] = field(default_factory=list)  # a forum's
    # a thread's: its channel (text or forum), its creator, tags, archiving
    parent_id: int | None = None
    owner_id: int | None = None
    applied_tags: list[str] = field(default_factory=list)
    auto_archive_duration: int = 1440
    archived: bool = False
    created: str = field(default_factory=lambda: iso())
    archived_at: str | None = None

    @property
    def archive_timestamp(self) -> str:
        return self.archived_at or self.created

    def wire(self, bot_id: int) -> dict[str, Any]:
        if self.type in THREAD_TYPES:
            return self.thread_wire()
        deny = (0 if self.can_send else SEND_DENY) | (0 if self.can_thread else THREAD_DENY)
        overwrites = []
        if deny:
            overwrites.append({"id": str(bot_id), "type": 1, "allow": "0", "deny": str(deny)})
        extra: dict[str, Any] = {}
        if self.type == FORUM:
            extra = {
                "available_tags": self.available_tags,
                "default_auto_archive_duration": 1440,
                "default_forum_layout": 0,
                "default_reaction_emoji": None,
                "default_sort_order": None,
                "default_thread_rate_limit_per_user": 0,
            }
        return {
            **extra,
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "position": self.position,
            "topic": self.topic,
            "nsfw": False,
            "parent_id": None,
            "rate_limit_per_user": 0,
            "last_message_id": str(self.message_ids[-1]) if self.message_ids else None,
            "permission_overwrites": overwrites,
            "flags": self.flags,
        }

    def thread_wire(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "parent_id": str(self.parent_id),
            "owner_id": str(self.owner_id),
            "name": self.name,
            "last_message_id": str(self.message_ids[-1]) if self.message_ids else None,
            "message_count": len(self.message_ids),
            "total_message_sent": len(self.message_ids),
            "member_count": 1,
            "rate_limit_per_user": 0,
            "flags": self.flags,
            "applied_tags": list(self.applied_tags),
            "thread_metadata": {
                "archived": self.archived,
                "auto_archive_duration": self.auto_archive_duration,
                "archive_timestamp": self.archive_timestamp,
                "locked": False,
                "create_timestamp": self.created,
            },
        }

    def bot_permissions(self) -> int:
        perms = DEFAULT_PERMISSIONS if self.can_send else DEFAULT_PERMISSIONS & ~SEND_DENY
        return perms if self.can_thread else perms & ~THREAD_DENY


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    channel_ids: list[int] = field(default_factory=list)
    member_ids: list[int] = field(default_factory=list)
    joined_at: str = field(default_factory=iso)
    roles: list[dict[str, Any]] = field(default_factory=list)  # besides @everyone


@dataclass
class StoredMessage:
    wire: dict[str, Any]
    channel_id: int
    source: str  # "channel" | "interaction" | "followup" | "user"
    allowed_mentions: dict[str, Any] | None = None
    interaction_id: int | None = None
    nonce: str | None = None
    created_clock: float = 0.0
    deleted: bool = False
    edits: list[dict[str, Any]] = field(default_factory=list)

    @property
    def id(self) -> int:
        return int(self.wire["id"])

    @property
    def ephemeral(self) -> bool:
        return bool(int(self.wire.get("flags") or 0) & FLAG_EPHEMERAL)

    def view(self) -> dict[str, Any]:
        """Wire message plus emulator bookkeeping, for tests."""
        out = dict(self.wire)
        out["ephemeral"] = self.ephemeral
        out["allowed_mentions"] = self.allowed_mentions
        out["source"] = self.source
        out["deleted"] = self.deleted
        out["edit_history"] = list(self.edits)
        return out


@dataclass
class Interaction:
    id: int
    token: str
    application_id: int
    type: int
    kind: str  # "slash" | "message"
    name: str
    channel_id: int
    guild_id: int | None
    user_id: int
    payload: dict[str, Any]
    dispatched_clock: float | None = None
    shard: list[int] | None = None  # the shard [id, count] it was dispatched on (None: unsharded)
    initial: dict[str, Any] | None = None
    original_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    edits: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    # Set once the first real (non-deferred) content exists.
    replied: bool = False


@dataclass
class StoredAttachment:
    id: int
    filename: str
    content_type: str
    data: bytes
    description: str | None = None

    def wire(self, base_url: str) -> dict[str, Any]:
        url = f"{base_url}/attachments/{self.id}/{self.filename}"
        out: dict[str, Any] = {
            "id": str(self.id),
            "filename": self.filename,
            "size": len(self.data),
            "url": url,
            "proxy_url": url,
            "content_type": self.content_type,
        }
        if self.description:
            out["description"] = self.description
        return out


@dataclass
class Fault:
    id: int
    method: str
    pattern: re.Pattern[str]
    kind: str  # "ratelimit" | "status" | "hang" | "slow_response"
    remaining: int
    status: int = 500
    retry_after: float = 0.1
    hang_seconds: float = 0.0
    is_global: bool = False
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        return (
            self.remaining > 0
            and (self.method in ("*", method.upper()))
            and self.pattern.search(path) is not None
        )

    def view(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "method": self.method,
            "path": self.pattern.pattern,
            "kind": self.kind,
            "remaining": self.remaining,
            "status": self.status,
            "retry_after": self.retry_after,
            "hang_seconds": self.hang_seconds,
            "global": self.is_global,
            "hits": self.hits,
        }


class Clock:
    """Monotonic clock that tests can move forward (token expiry without waiting 15 min)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@dataclass
class Config:
    token: str = "fake-bot-token"
    heartbeat_interval_ms: int = 41250
    interaction_deadline: float = 3.0
    token_lifetime: float = 15 * 60.0
    nonce_window: float = 5 * 60.0
    ack_heartbeats: bool = True
    # Privileged intents enabled for the application (members, presences, message content).
    privileged_intents: int = (1 << 1) | (1 << 8) | (1 << 15)
    compress_gateway: bool = True
    # GET /gateway/bot's "shards": what a bot with SHARD_COUNT=auto connects.
    recommended_shards: int = 1

    def update(self, values: dict[str, Any]) -> None:
        for key, value in values.items():
            if not hasattr(self, key):
                raise KeyError(key)
            setattr(self, key, type(getattr(self, key))(value))

    def view(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out.pop("token")
        return out


class World:
    """All state, plus a condition that is notified on every change (for wait helpers)."""

    def __init__(self, config: Config, base_url: Callable[[], str]) -> None:
        self.config = config
        self.clock = Clock()
        self.ids = Snowflakes()
        self._base_url = base_url
        self.changed = asyncio.Condition()
        self.bot_id = self.ids.next()
        self.application_id = self.bot_id
        self.users: dict[int, dict[str, Any]] = {}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.roles: dict[int, dict[str, Any]] = {}  # id -> role wire (not @everyone)
        self.messages: dict[int, StoredMessage] = {}
        self.interactions: dict[int, Interaction] = {}
        self.attachments: dict[int, StoredAttachment] = {}
        self.global_commands: list[dict[str, Any]] = []
        self.guild_commands: dict[int, list[dict[str, Any]]] = {}
        self.faults: list[Fault] = []
        self.requests: list[dict[str, Any]] = []
        self.unhandled: list[dict[str, Any]] = []
        self._fault_ids = itertools.count(1)
        self.users[self.bot_id] = {
            "id": str(self.bot_id),
            "username": "precis-test",
            "global_name": "Précis (test)",
            "discriminator": "0",
            "avatar": None,
            "bot": True,
            "flags": 0,
            "public_flags": 0,
            "verified": True,
            "mfa_enabled": False,
        }
        self.default_user_id = self.add_user("tester")["id"]

    @property
    def base_url(self) -> str:
        return self._base_url()

    async def notify(self) -> None:
        async with self.changed:
            self.changed.notify_all()

    async def wait_until(self, predicate: Callable[[], Any], timeout: float) -> Any:
        async def _wait() -> Any:
            async with self.changed:
                while True:
                    result = predicate()
                    if result:
                        return result
                    await self.changed.wait()

        try:
            return await asyncio.wait_for(_wait(), timeout)
        except TimeoutError:
            return predicate()

    # users / guilds / channels -------------------------------------------------------

    @property
    def bot_user(self) -> dict[str, Any]:
        return self.users[self.bot_id]

    def add_user(self, username: str, user_id: int | None = None) -> dict[str, Any]:
        uid = user_id or self.ids.next()
        user = {
            "id": str(uid),
            "username": username,
            "global_name": username.title(),
            "discriminator": "0",
            "avatar": None,
            "bot": False,
            "public_flags": 0,
        }
        self.users[uid] = user
        return {"id": uid, **{k: v for k, v in user.items() if k != "id"}}

    def ensure_user(self, user_id: int | None) -> int:
        if user_id is None:
            return self.default_user_id
        if user_id not in self.users:
            self.add_user(f"user{str(user_id)[-4:]}", user_id)
        return user_id

    def add_guild(
        self, name: str, channels: list[str] | None = None, guild_id: int | None = None
    ) -> Guild:
        gid = guild_id or self.ids.next()
        guild = Guild(id=gid, name=name, owner_id=self.default_user_id)
        guild.member_ids = [self.bot_id, self.default_user_id]
        self.guilds[gid] = guild
        for name_ in channels if channels is not None else ["general"]:
            self.add_channel(gid, name_)
        return guild

    def add_channel(self, guild_id: int, name: str, channel_id: int | None = None) -> Channel:
        guild = self.guilds[guild_id]
        cid = channel_id or self.ids.next()
        channel = Channel(id=cid, guild_id=guild_id, name=name, position=len(guild.channel_ids))
        self.channels[cid] = channel
        guild.channel_ids.append(cid)
        return channel

    def active_threads(self, guild_id: int) -> list[Channel]:
        return [
            c for c in self.channels.values()
            if c.guild_id == guild_id and c.type in THREAD_TYPES and not c.deleted
            and not c.archived
        ]  # fmt: skip

    def live_channel(self, channel_id: int) -> Channel | None:
        channel = self.channels.get(channel_id)
        return None if channel is None or channel.deleted else channel

    def member_wire(
        self, guild: Guild, user_id: int, permissions: int | None = None
    ) -> dict[str, Any]:
        out: dict[str, Any] = {
            "user": self.users[user_id],
            "roles": [],
            "nick": None,
            "avatar": None,
            "joined_at": guild.joined_at,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
        }
        if permissions is not None:
            out["permissions"] = str(permissions)
        return out

    def guild_wire(self, guild: Guild) -> dict[str, Any]:
        channels = [
            self.channels[c].wire(self.bot_id)
            for c in guild.channel_ids
            if not self.channels[c].deleted
        ]
        for ch in channels:
            ch.pop("guild_id", None)  # GUILD_CREATE channels carry no guild_id
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": str(guild.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "roles": [self.everyone_role(guild), *guild.roles],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "public_updates_channel_id": None,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "joined_at": guild.joined_at,
            "large": False,
            "unavailable": False,
            "member_count": len(guild.member_ids),
            "members": [self.member_wire(guild, uid) for uid in guild.member_ids],
            "channels": channels,
            "threads": [t.thread_wire() for t in self.active_threads(guild.id)],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    def add_role(self, guild: Guild, name: str, *, mentionable: bool = False) -> dict[str, Any]:
        """A role of the guild (no permissions of its own): `mentionable` decides whether
        a member without Mention Everyone can ping it."""
        role = {**self.everyone_role(guild), "id": str(self.ids.next()), "name": name,
                "position": len(guild.roles) + 1, "permissions": "0",
                "mentionable": mentionable}  # fmt: skip
        guild.roles.append(role)
        self.roles[int(role["id"])] = role  # slash-command role options resolve from here
        return role

    def role_pingable(self, role_id: int) -> bool:
        role = self.find_role(role_id)
        return role is not None and bool(role["mentionable"])

    def find_role(self, role_id: int) -> dict[str, Any] | None:
        for guild in self.guilds.values():
            for role in guild.roles:
                if int(role["id"]) == role_id:
                    return role
            if guild.id == role_id:
                return self.everyone_role(guild)
        return None

    def everyone_role(self, guild: Guild) -> dict[str, Any]:
        return {
            "id": str(guild.id),
            "name": "@everyone",
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": 0,
            "permissions": str(DEFAULT_PERMISSIONS),
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }

    # attachments -------------------------------------------------------------------

    def add_attachment(
        self,
        filename: str,
        data: bytes,
        content_type: str | None = None,
        description: str | None = None,
    ) -> StoredAttachment:
        att = StoredAttachment(
            id=self.ids.next(),
            filename=re.sub(r"[^A-Za-z0-9._-]", "_", filename) or "file",
            content_type=content_type or guess_type(filename),
            data=data,
            description=description,
        )
        self.attachments[att.id] = att
        return att

    # messages ----------------------------------------------------------------------

    def build_message(
        self,
        channel: Channel,
        payload: dict[str, Any],
        *,
        author: dict[str, Any],
        attachments: list[StoredAttachment],
        message_type: int = 0,
        flags: int = 0,
        interaction: Interaction | None = None,
    ) -> dict[str, Any]:
        mid = self.ids.next()
        mentions = effective_mentions(
            payload.get("content") or "", payload.get("allowed_mentions"), self.users,
            self.role_pingable,
        )  # fmt: skip
        wire: dict[str, Any] = {
            "id": str(mid),
            "type": message_type,
            "channel_id": str(channel.id),
            "guild_id": str(channel.guild_id),
            "author": author,
            "content": payload.get("content") or "",
            "timestamp": iso(),
            "edited_timestamp": None,
            "tts": bool(payload.get("tts", False)),
            "mention_everyone": mentions["everyone"],
            "mentions": mentions["users"],
            "mention_roles": mentions["roles"],
            "attachments": [a.wire(self.base_url) for a in attachments],
            "embeds": [normalise_embed(e) for e in payload.get("embeds") or []],
            "pinned": False,
            "flags": int(payload.get("flags") or 0) | flags,
            "components": payload.get("components") or [],
        }
        if payload.get("nonce") is not None:
            wire["nonce"] = payload["nonce"]
        reference = payload.get("message_reference")
        if isinstance(reference, dict) and reference.get("message_id"):
            wire["message_reference"] = {
                k: str(v) for k, v in reference.items()
                if k in ("message_id", "channel_id", "guild_id") and v is not None
            }  # fmt: skip
        if interaction is not None:
            wire["webhook_id"] = str(self.application_id)
            wire["application_id"] = str(self.application_id)
            wire["interaction_metadata"] = {
                "id": str(interaction.id),
                "type": interaction.type,
                "user": self.users[interaction.user_id],
                "authorizing_integration_owners": {"0": str(interaction.guild_id)},
            }
            if interaction.name:
                wire["interaction_metadata"]["name"] = interaction.name
        return wire

    def store_message(self, msg: StoredMessage, *, listed: bool = True) -> StoredMessage:
        msg.created_clock = self.clock()
        self.messages[msg.id] = msg
        if listed and not msg.ephemeral:
            self.channels[msg.channel_id].message_ids.append(msg.id)
        return msg

    def apply_edit(
        self, msg: StoredMessage, payload: dict[str, Any], new_attachments: list[StoredAttachment]
    ) -> None:
        """Apply a PATCH the way Discord does: only keys that are present change."""
        before = {
            k: msg.wire.get(k) for k in ("content", "embeds", "attachments", "flags", "components")
        }
        msg.edits.append({"at": iso(), "payload": payload, "before": before})
        if "content" in payload:
            msg.wire["content"] = payload["content"] or ""
        if "embeds" in payload:
            msg.wire["embeds"] = [normalise_embed(e) for e in payload["embeds"] or []]
        if "components" in payload:
            msg.wire["components"] = payload["components"] or []
        if "allowed_mentions" in payload:
            msg.allowed_mentions = payload["allowed_mentions"]
        if "attachments" in payload:
            keep = {str(a.get("id")) for a in payload["attachments"] or []}
            kept = [a for a in msg.wire["attachments"] if a["id"] in keep]
            msg.wire["attachments"] = kept + [a.wire(self.base_url) for a in new_attachments]
        elif new_attachments:
            msg.wire["attachments"] = msg.wire["attachments"] + [
                a.wire(self.base_url) for a in new_attachments
            ]
        flags = int(msg.wire.get("flags") or 0) & ~FLAG_LOADING
        msg.wire["flags"] = flags
        mentions = effective_mentions(
            msg.wire["content"], msg.allowed_mentions, self.users, self.role_pingable
        )
        msg.wire["mentions"] = mentions["users"]
        msg.wire["mention_roles"] = mentions["roles"]
        msg.wire["mention_everyone"] = mentions["everyone"]
        msg.wire["edited_timestamp"] = iso()

    def channel_messages(
        self, channel_id: int, *, include_deleted: bool = False
    ) -> list[StoredMessage]:
        channel = self.channels.get(channel_id)
        if channel is None:
            return []
        msgs = [self.messages[m] for m in channel.message_ids]
        return [m for m in msgs if include_deleted or not m.deleted]

    # interactions ------------------------------------------------------------------

    def new_interaction_token(self) -> str:
        return "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(48)

    def interaction_by_token(self, token: str) -> Interaction | None:
        for inter in self.interactions.values():
            if inter.token == token:
                return inter
        return None

    def interaction_view(self, inter: Interaction) -> dict[str, Any]:
        original = self.messages.get(inter.original_id) if inter.original_id else None
        initial = None
        if inter.initial is not None:
            initial = dict(inter.initial)
        return {
            "id": str(inter.id),
            "token": inter.token,
            "type": inter.type,
            "kind": inter.kind,
            "name": inter.name,
            "channel_id": str(inter.channel_id),
            "guild_id": str(inter.guild_id) if inter.guild_id else None,
            "user_id": str(inter.user_id),
            "dispatched": inter.dispatched_clock is not None,
            "shard": inter.shard,
            "acknowledged": inter.initial is not None,
            "deferred": bool(inter.initial and inter.initial["type"] in (5, 6)),
            "replied": inter.replied,
            "ephemeral": bool(inter.initial and inter.initial.get("ephemeral")),
            "initial": initial,
            "original": original.view() if original else None,
            "followups": [self.messages[m].view() for m in inter.followup_ids],
            "edits": list(inter.edits),
            "errors": list(inter.errors),
            "payload": inter.payload,
        }

    # commands ----------------------------------------------------------------------

    def find_command(self, name: str, guild_id: int | None, cmd_type: int) -> dict[str, Any] | None:
        pools = []
        if guild_id is not None:
            pools.append(self.guild_commands.get(guild_id, []))
        pools.append(self.global_commands)
        for pool in pools:
            for cmd in pool:
                if cmd["name"] == name and int(cmd.get("type", 1)) == cmd_type:
                    return cmd
        return None

    def store_commands(
        self, guild_id: int | None, payload: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        existing = self.guild_commands.get(guild_id, []) if guild_id else self.global_commands
        by_key = {(c["name"], int(c.get("type", 1))): c for c in existing}
        stored = []
        for cmd in payload:
            ctype = int(cmd.get("type", 1))
            old = by_key.get((cmd["name"], ctype))
            out = {
                "id": old["id"] if old else str(self.ids.next()),
                "application_id": str(self.application_id),
                "version": str(self.ids.next()),
                "type": ctype,
                "name": cmd["name"],
                "description": cmd.get("description", "") if ctype == 1 else "",
                "options": cmd.get("options", []),
                "default_member_permissions": cmd.get("default_member_permissions"),
                "dm_permission": cmd.get("dm_permission", True),
                "nsfw": cmd.get("nsfw", False),
                "contexts": cmd.get("contexts"),
                "integration_types": cmd.get("integration_types", [0]),
                "name_localizations": cmd.get("name_localizations"),
                "description_localizations": cmd.get("description_localizations"),
            }
            if guild_id:
                out["guild_id"] = str(guild_id)
            stored.append(out)
        if guild_id:
            self.guild_commands[guild_id] = stored
        else:
            self.global_commands = stored
        return stored


def normalise_embed(embed: dict[str, Any]) -> dict[str, Any]:
    out = dict(embed)
    out.setdefault("type", "rich")
    if "fields" in out:
        out["fields"] = [{"inline": False, **f} for f in out["fields"] or []]
    return out


_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")


def effective_mentions(
    content: str,
    allowed: dict[str, Any] | None,
    users: dict[int, dict[str, Any]],
    pingable: Callable[[int], bool] | None = None,
) -> dict[str, Any]:
    """Who this content would actually notify, given allowed_mentions (Discord's rules).

    No allowed_mentions means "parse everything". With allowed_mentions, a type is only
    parsed if listed in `parse`, or for the explicit ids in `users` / `roles`.
    """
    user_ids = [int(x) for x in _USER_MENTION.findall(content)]
    role_ids = [int(x) for x in _ROLE_MENTION.findall(content)]
    everyone = "@everyone" in content or "@here" in content
    if allowed is None:
        ok_users, ok_roles, ok_everyone = user_ids, role_ids, everyone
    else:
        parse = set(allowed.get("parse") or [])
        explicit_users = {int(x) for x in allowed.get("users") or []}
        explicit_roles = {int(x) for x in allowed.get("roles") or []}
        ok_users = [u for u in user_ids if "users" in parse or u in explicit_users]
        ok_roles = [r for r in role_ids if "roles" in parse or r in explicit_roles]
        ok_everyone = everyone and "everyone" in parse
    if pingable is not None:  # the bot has no Mention Everyone: only mentionable roles ping
        ok_roles = [r for r in ok_roles if pingable(r)]
    seen: set[int] = set()
    user_objs = []
    for uid in ok_users:
        if uid not in seen:
            seen.add(uid)
            user_objs.append(
                users.get(uid) or {"id": str(uid), "username": "unknown", "discriminator": "0"}
            )
    return {
        "users": user_objs,
        "roles": [str(r) for r in dict.fromkeys(ok_roles)],
        "everyone": ok_everyone,
    }


def guess_type(filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return {
        "txt": "text/plain; charset=utf-8",
        "md": "text/markdown; charset=utf-8",
        "html": "text/html; charset=utf-8",
        "htm": "text/html; charset=utf-8",
        "pdf": "application/pdf",
        "json": "application/json; charset=utf-8",
        "png": "image/png",
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "gif": "image/gif",
        "xml": "application/xml",
        "csv": "text/csv; charset=utf-8",
    }.get(ext, "application/octet-stream")
