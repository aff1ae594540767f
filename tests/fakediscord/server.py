"""FakeDiscord: one aiohttp application on 127.0.0.1 serving the REST API (``/api/v10``),
the gateway websocket (``/gateway``), attachment downloads (``/attachments/{id}/{name}``)
and the control API (``/_control/...``), plus the same controls as Python methods."""

from __future__ import annotations

import asyncio
import base64
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiohttp import web

from .control import add_control_routes
from .gateway import Gateway
from .model import (
    INTENT_GUILD_MESSAGES,
    OPTION_TYPES,
    Config,
    Fault,
    Interaction,
    StoredAttachment,
    StoredMessage,
    World,
)
from .rest import RestApi

ALL_PERMISSIONS = (1 << 51) - 1
P_ADMINISTRATOR = 1 << 3


class ControlError(Exception):
    """A control request the emulator refuses (e.g. a command that was never synced)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


AttachmentSpec = bytes | str | dict[str, Any] | tuple[str, bytes]


class FakeDiscord:
    """A loopback Discord for tests. Use as ``async with FakeDiscord() as fake:``."""

    def __init__(
        self,
        *,
        token: str = "fake-bot-token",
        heartbeat_interval: float = 41.25,
        interaction_deadline: float = 3.0,
        token_lifetime: float = 15 * 60.0,
        nonce_window: float = 5 * 60.0,
        compress_gateway: bool = True,
    ) -> None:
        self.config = Config(
            token=token,
            heartbeat_interval_ms=int(heartbeat_interval * 1000),
            interaction_deadline=interaction_deadline,
            token_lifetime=token_lifetime,
            nonce_window=nonce_window,
            compress_gateway=compress_gateway,
        )
        self.host = "127.0.0.1"
        self.port = 0
        self.world = World(self.config, lambda: self.base_url)
        self.gateway = Gateway(self)
        self.rest = RestApi(self)
        self._runner: web.AppRunner | None = None

    # --- lifecycle -------------------------------------------------------------------------

    @property
    def token(self) -> str:
        return self.config.token

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://{self.host}:{self.port}/gateway"

    @property
    def control_url(self) -> str:
        return f"{self.base_url}/_control"

    @property
    def bot_id(self) -> int:
        return self.world.bot_id

    @property
    def application_id(self) -> int:
        return self.world.application_id

    @property
    def default_user_id(self) -> int:
        return self.world.default_user_id

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("GET", "/gateway", self.gateway.handle)
        app.router.add_route("GET", "/gateway/", self.gateway.handle)
        app.router.add_route(
            "GET", "/attachments/{attachment_id}/{filename}", self._serve_attachment
        )
        add_control_routes(app, self)
        app.router.add_route("*", "/api/{tail:.*}", self.rest.handle)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> FakeDiscord:
        self.host = host
        self._runner = web.AppRunner(self.make_app(), handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        for conn in self.gateway.connections:
            if conn.open:
                await conn.close(1001, "emulator stopping")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start(self.host, self.port)

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _serve_attachment(self, request: web.Request) -> web.Response:
        try:
            att = self.world.attachments[int(request.match_info["attachment_id"])]
        except (KeyError, ValueError):
            return web.Response(status=404, text="Not Found")
        return web.Response(body=att.data, headers={"Content-Type": att.content_type})

    # --- configuration -----------------------------------------------------------------------

    def configure(self, **values: Any) -> dict[str, Any]:
        """Change limits at runtime, e.g. ``configure(interaction_deadline=0.5)``."""
        if "heartbeat_interval" in values:
            values["heartbeat_interval_ms"] = int(float(values.pop("heartbeat_interval")) * 1000)
        try:
            self.config.update(values)
        except KeyError as exc:
            raise ControlError(400, f"unknown setting {exc.args[0]!r}") from None
        return self.config.view()

    def advance_clock(self, seconds: float) -> None:
        """Move the emulator's clock (interaction deadline, token expiry, nonce window)."""
        self.world.clock.advance(seconds)

    # --- guilds, channels, users -----------------------------------------------------------

    async def create_guild(
        self,
        name: str = "Test Guild",
        channels: list[str] | None = None,
        guild_id: int | None = None,
        *,
        shard: tuple[int, int] | None = None,
    ) -> dict[str, Any]:
        """Create a guild (the bot is a member); returns {"id", "name", "channels": {name: id}}.
        shard=(id, count): its id is chosen so that the guild is on that shard.

        If the bot is already connected it receives GUILD_CREATE, as when it joins a guild."""
        if shard is not None and guild_id is None:
            guild_id = self._guild_id_on_shard(*shard)
        guild = self.world.add_guild(name, channels, guild_id)
        await self.gateway.dispatch("GUILD_CREATE", self.world.guild_wire(guild))
        await self.world.notify()
        return self.guild_view(guild.id)

    def _guild_id_on_shard(self, shard_id: int, count: int) -> int:
        """A new snowflake whose shard, (id >> 22) % count, is shard_id (its timestamp is
        moved forward by less than `count` ms)."""
        if count < 1 or not 0 <= shard_id < count:
            raise ControlError(400, f"no shard {shard_id} of {count}")
        gid = self.world.ids.next()
        while (gid >> 22) % count != shard_id or gid in self.world.guilds:
            gid += 1 << 22
        return gid

    def guild_view(self, guild_id: int) -> dict[str, Any]:
        guild = self._guild(guild_id)
        chans = [self.world.channels[c] for c in guild.channel_ids]
        return {
            "id": guild.id,
            "name": guild.name,
            "channels": {c.name: c.id for c in chans if not c.deleted},
            "channel_details": [
                {"id": c.id, "name": c.name, "can_send": c.can_send, "deleted": c.deleted}
                for c in chans
            ],
        }

    def add_role(self, guild_id: int, name: str, *, mentionable: bool = True) -> int:
        """A role of the guild, for `role` options of slash commands (resolved like Discord
        resolves them) and role mentions; returns its id. (`create_role` also tells the bot.)"""
        role = self.world.add_role(self._guild(guild_id), name, mentionable=mentionable)
        return int(role["id"])

    async def create_channel(self, guild_id: int, name: str) -> int:
        channel = self.world.add_channel(self._guild(guild_id).id, name)
        await self.gateway.dispatch("CHANNEL_CREATE", channel.wire(self.bot_id))
        await self.world.notify()
        return channel.id

    async def create_role(self, guild_id: int, name: str, *, mentionable: bool = False) -> int:
        """A role in the guild; the bot gets GUILD_ROLE_CREATE."""
        guild = self._guild(guild_id)
        role = self.world.add_role(guild, name, mentionable=mentionable)
        await self.gateway.dispatch("GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": role})
        await self.world.notify()
        return int(role["id"])

    async def create_forum(
        self, guild_id: int, name: str, tags: list[str] | None = None, *, require_tag: bool = False
    ) -> dict[str, Any]:
        """A forum channel (type 15) with these tags; returns {"id", "tags": {name: id}}."""
        from .model import CHANNEL_REQUIRE_TAG, FORUM

        channel = self.world.add_channel(self._guild(guild_id).id, name)
        channel.type = FORUM
        channel.flags = CHANNEL_REQUIRE_TAG if require_tag else 0
        channel.available_tags = [
            {"id": str(self.world.ids.next()), "name": tag, "moderated": False,
             "emoji_id": None, "emoji_name": None}
            for tag in tags or []
        ]  # fmt: skip
        await self.gateway.dispatch("CHANNEL_CREATE", channel.wire(self.bot_id))
        await self.world.notify()
        return {"id": channel.id, "tags": {t["name"]: int(t["id"]) for t in channel.available_tags}}

    async def archive_thread(self, thread_id: int) -> None:
        """Archive a thread (Discord does it after its auto-archive duration of quiet)."""
        from .model import iso

        thread = self._channel(thread_id)
        thread.archived = True
        thread.archived_at = iso()
        await self.gateway.dispatch("THREAD_UPDATE", thread.thread_wire())
        await self.world.notify()

    def threads(self, parent_id: int) -> list[dict[str, Any]]:
        """The threads (forum posts) of a channel, oldest first, each with its "messages"."""
        out = []
        for c in self.world.channels.values():
            if c.parent_id == int(parent_id) and not c.deleted:
                out.append({**c.thread_wire(), "messages": self.channel_messages(c.id)})
        return sorted(out, key=lambda t: int(t["id"]))

    async def set_channel_permission(
        self, channel_id: int, can_send: bool | None = None, *, can_thread: bool | None = None
    ) -> None:
        """can_send=False: the bot may not post there (POST messages, forum posts -> 403 code
        50013); can_thread=False: nor create threads or post in them (Create Public Threads
        and Send Messages in Threads denied)."""
        channel = self._channel(channel_id)
        if can_send is not None:
            channel.can_send = can_send
        if can_thread is not None:
            channel.can_thread = can_thread
        await self.gateway.dispatch("CHANNEL_UPDATE", channel.wire(self.bot_id))
        await self.world.notify()

    async def delete_channel(self, channel_id: int) -> None:
        channel = self._channel(channel_id)
        channel.deleted = True
        await self.gateway.dispatch("CHANNEL_DELETE", channel.wire(self.bot_id))
        await self.world.notify()

    def add_user(self, username: str, user_id: int | None = None) -> int:
        return int(self.world.add_user(username, user_id)["id"])

    def _guild(self, guild_id: int) -> Any:
        guild = self.world.guilds.get(int(guild_id))
        if guild is None:
            raise ControlError(404, f"no guild {guild_id}")
        return guild

    def _channel(self, channel_id: int) -> Any:
        channel = self.world.live_channel(int(channel_id))
        if channel is None:
            raise ControlError(404, f"no channel {channel_id}")
        return channel

    def _join(self, guild_id: int, user_id: int) -> None:
        guild = self.world.guilds[guild_id]
        if user_id not in guild.member_ids:
            guild.member_ids.append(user_id)

    # --- user activity -----------------------------------------------------------------------

    def _make_attachment(
        self, spec: AttachmentSpec, default_name: str = "file.txt"
    ) -> StoredAttachment:
        """bytes | text | (filename, bytes) | {"filename", "data" | "data_b64" | "text", ...}."""
        if isinstance(spec, StoredAttachment):
            return spec
        if isinstance(spec, bytes):
            return self.world.add_attachment(default_name, spec)
        if isinstance(spec, str):
            return self.world.add_attachment(default_name, spec.encode())
        if isinstance(spec, tuple):
            return self.world.add_attachment(spec[0], spec[1])
        if isinstance(spec, dict):
            if "data" in spec and isinstance(spec["data"], bytes | bytearray):
                data = bytes(spec["data"])
            elif "data_b64" in spec:
                data = base64.b64decode(spec["data_b64"])
            elif "text" in spec:
                data = str(spec["text"]).encode(spec.get("encoding", "utf-8"))
            else:
                raise ControlError(400, "attachment needs data, data_b64 or text")
            return self.world.add_attachment(
                spec.get("filename", default_name),
                data,
                spec.get("content_type"),
                spec.get("description"),
            )
        raise ControlError(400, f"cannot make an attachment from {type(spec).__name__}")

    def attachment_bytes(self, attachment_id: int | str) -> bytes:
        return self.world.attachments[int(attachment_id)].data

    async def post_user_message(
        self,
        channel_id: int,
        content: str = "",
        *,
        user_id: int | None = None,
        embeds: list[dict[str, Any]] | None = None,
        attachments: list[AttachmentSpec] | None = None,
    ) -> dict[str, Any]:
        """A human posts in a channel (the bot gets MESSAGE_CREATE if it has the intent)."""
        w = self.world
        channel = self._channel(channel_id)
        uid = w.ensure_user(user_id)
        self._join(channel.guild_id, uid)
        atts = [self._make_attachment(a) for a in attachments or []]
        wire = w.build_message(
            channel,
            {"content": content, "embeds": embeds or []},
            author=w.users[uid],
            attachments=atts,
        )
        msg = w.store_message(StoredMessage(wire=wire, channel_id=channel.id, source="user"))
        await self.gateway.dispatch(
            "MESSAGE_CREATE", self.rest._gateway_message(msg), intent=INTENT_GUILD_MESSAGES
        )
        await w.notify()
        return msg.view()

    def _default_channel(self) -> int:
        for channel in self.world.channels.values():
            if not channel.deleted:
                return channel.id
        raise ControlError(400, "no channel exists: create_guild() first")

    def _interaction_base(
        self,
        itype: int,
        data: dict[str, Any],
        channel_id: int,
        user_id: int,
        member_permissions: int,
        kind: str,
        name: str,
    ) -> Interaction:
        w = self.world
        channel = self._channel(channel_id)
        guild = w.guilds[channel.guild_id]
        self._join(guild.id, user_id)
        inter = Interaction(
            id=w.ids.next(),
            token=w.new_interaction_token(),
            application_id=w.application_id,
            type=itype,
            kind=kind,
            name=name,
            channel_id=channel.id,
            guild_id=guild.id,
            user_id=user_id,
            payload={},
        )
        inter.payload = {
            "id": str(inter.id),
            "application_id": str(w.application_id),
            "type": itype,
            "token": inter.token,
            "version": 1,
            "data": data,
            "guild_id": str(guild.id),
            "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
            "channel_id": str(channel.id),
            "channel": channel.wire(self.bot_id),
            "member": w.member_wire(guild, user_id, member_permissions),
            "app_permissions": str(channel.bot_permissions()),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "entitlement_sku_ids": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        w.interactions[inter.id] = inter
        return inter

    async def _dispatch_interaction(self, inter: Interaction) -> dict[str, Any]:
        inter.dispatched_clock = self.world.clock()
        session = await self.gateway.dispatch("INTERACTION_CREATE", inter.payload)
        if session is None:
            del self.world.interactions[inter.id]
            raise ControlError(409, "the bot has no gateway session (is it connected?)")
        inter.shard = list(session.shard) if session.shard else None
        await self.world.notify()
        return self.world.interaction_view(inter)

    def _check_command(
        self, cmd: dict[str, Any] | None, what: str, member_permissions: int
    ) -> None:
        if cmd is None:
            raise ControlError(
                404, f"{what} has not been synced by the bot (see /_control/commands)"
            )
        needed = cmd.get("default_member_permissions")
        admin = member_permissions & P_ADMINISTRATOR
        if needed is not None and not admin and int(needed) & ~member_permissions:
            raise ControlError(403, f"{what} needs permissions {needed}; the user would not see it")

    async def fire_slash_command(
        self,
        name: str,
        options: dict[str, Any] | list[dict[str, Any]] | None = None,
        *,
        channel_id: int | None = None,
        user_id: int | None = None,
        member_permissions: int = ALL_PERMISSIONS,
        attachments: dict[str, AttachmentSpec] | None = None,
        require_synced: bool = True,
    ) -> dict[str, Any]:
        """A user runs ``/name`` (``"group sub"`` for subcommands). Returns the interaction view.

        options: {"option_name": value} (types taken from the synced command, else inferred),
        or a raw Discord options list. attachments: {"option_name": spec} for attachment
        options; a spec is bytes, (filename, bytes) or {"filename", "data"|"data_b64"|"text"}.
        """
        w = self.world
        cid = int(channel_id) if channel_id is not None else self._default_channel()
        channel = self._channel(cid)
        uid = w.ensure_user(user_id)
        path = name.split()
        cmd = w.find_command(path[0], channel.guild_id, 1)
        if require_synced:
            self._check_command(cmd, f"slash command /{path[0]}", member_permissions)
        resolved: dict[str, Any] = {}
        defs = (cmd or {}).get("options") or []
        for part in path[1:]:
            sub = next((o for o in defs if o.get("name") == part and o.get("type") in (1, 2)), None)
            if sub is None and cmd is not None:
                raise ControlError(400, f"/{path[0]} has no subcommand {part!r}")
            defs = (sub or {}).get("options") or []
        if isinstance(options, list):
            leaf = options
        else:
            merged: dict[str, Any] = dict(options or {})
            for key, spec in (attachments or {}).items():
                merged[key] = self._make_attachment(spec)
            leaf = self._build_options(merged, defs if cmd else None, resolved, channel.guild_id)
        for depth, part in enumerate(reversed(path[1:])):
            leaf = [{"type": 1 if depth == 0 else 2, "name": part, "options": leaf}]
        data: dict[str, Any] = {
            "id": cmd["id"] if cmd else str(w.ids.next()),
            "name": path[0],
            "type": 1,
        }
        if leaf:
            data["options"] = leaf
        if resolved:
            data["resolved"] = resolved
        if cmd and cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        inter = self._interaction_base(2, data, cid, uid, member_permissions, "slash", name)
        return await self._dispatch_interaction(inter)

    def _build_options(
        self,
        given: dict[str, Any],
        defs: list[dict[str, Any]] | None,
        resolved: dict[str, Any],
        guild_id: int,
    ) -> list[dict[str, Any]]:
        w = self.world
        by_name = {o["name"]: o for o in defs or []}
        if defs is not None:
            unknown = set(given) - set(by_name)
            if unknown:
                raise ControlError(
                    400, f"unknown option(s) {sorted(unknown)}; command has {sorted(by_name)}"
                )
            missing = [o["name"] for o in defs if o.get("required") and o["name"] not in given]
            if missing:
                raise ControlError(400, f"required option(s) missing: {missing}")
        out = []
        for key, value in given.items():
            odef = by_name.get(key)
            otype = int(odef["type"]) if odef else _infer_type(value)
            if otype == OPTION_TYPES["attachment"]:
                att = (
                    value
                    if isinstance(value, StoredAttachment)
                    else self._make_attachment(value, key)
                )
                resolved.setdefault("attachments", {})[str(att.id)] = att.wire(self.base_url)
                value = str(att.id)
            elif otype == OPTION_TYPES["user"]:
                uid = w.ensure_user(int(value))
                self._join(guild_id, uid)
                resolved.setdefault("users", {})[str(uid)] = w.users[uid]
                member = w.member_wire(w.guilds[guild_id], uid, ALL_PERMISSIONS)
                member.pop("user")
                resolved.setdefault("members", {})[str(uid)] = member
                value = str(uid)
            elif otype == OPTION_TYPES["role"]:
                if int(value) == guild_id:  # @everyone: its id is the guild's
                    role = w.everyone_role(w.guilds[guild_id])
                elif int(value) in w.roles:
                    role = w.roles[int(value)]
                else:
                    raise ControlError(400, f"unknown role {value} (fake.add_role first)")
                resolved.setdefault("roles", {})[str(value)] = role
                value = str(value)
            elif otype == OPTION_TYPES["channel"]:
                ch = self._channel(int(value))
                wire = ch.wire(self.bot_id)
                wire["permissions"] = str(ALL_PERMISSIONS)
                resolved.setdefault("channels", {})[str(ch.id)] = wire
                value = str(ch.id)
            elif otype == OPTION_TYPES["role"]:
                role = w.find_role(int(value))
                if role is None:
                    raise ControlError(404, f"unknown role {value}")
                resolved.setdefault("roles", {})[role["id"]] = role
                value = role["id"]
            elif otype == OPTION_TYPES["integer"]:
                value = int(value)
            elif otype == OPTION_TYPES["number"]:
                value = float(value)
            elif otype == OPTION_TYPES["boolean"]:
                value = bool(value)
            elif otype == OPTION_TYPES["string"]:
                value = str(value)
            out.append({"name": key, "type": otype, "value": value})
        return out

    async def fire_message_command(
        self,
        name: str,
        *,
        message_id: int | None = None,
        content: str = "",
        embeds: list[dict[str, Any]] | None = None,
        attachments: list[AttachmentSpec] | None = None,
        author_id: int | None = None,
        channel_id: int | None = None,
        user_id: int | None = None,
        member_permissions: int = ALL_PERMISSIONS,
        require_synced: bool = True,
    ) -> dict[str, Any]:
        """A user picks Apps -> ``name`` on a message: an existing one (message_id) or a new
        message posted first by author_id with content/embeds/attachments."""
        w = self.world
        if message_id is not None:
            target = w.messages.get(int(message_id))
            if target is None or target.deleted:
                raise ControlError(404, f"no message {message_id}")
            cid = target.channel_id
        else:
            cid = int(channel_id) if channel_id is not None else self._default_channel()
            view = await self.post_user_message(
                cid, content, user_id=author_id, embeds=embeds, attachments=attachments
            )
            target = w.messages[int(view["id"])]
        channel = self._channel(cid)
        uid = w.ensure_user(user_id)
        cmd = w.find_command(name, channel.guild_id, 3)
        if require_synced:
            self._check_command(cmd, f"message command {name!r}", member_permissions)
        data: dict[str, Any] = {
            "id": cmd["id"] if cmd else str(w.ids.next()),
            "name": name,
            "type": 3,
            "target_id": str(target.id),
            "resolved": {"messages": {str(target.id): target.wire}},
        }
        if cmd and cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        inter = self._interaction_base(2, data, cid, uid, member_permissions, "message", name)
        return await self._dispatch_interaction(inter)

    # --- reading what the bot did ----------------------------------------------------------

    def interaction(self, interaction_id: int | str) -> dict[str, Any]:
        inter = self.world.interactions.get(int(interaction_id))
        if inter is None:
            raise ControlError(404, f"no interaction {interaction_id}")
        return self.world.interaction_view(inter)

    def interactions(self) -> list[dict[str, Any]]:
        return [self.world.interaction_view(i) for i in self.world.interactions.values()]

    async def wait_for_interaction(
        self, interaction_id: int | str, *, until: str = "replied", timeout: float = 5.0
    ) -> dict[str, Any]:
        """Wait until the interaction is "acknowledged" (any initial response) or "replied"
        (real content exists: a type-4 response, a follow-up, or an edit of @original).
        Returns the interaction view either way; check its flags."""
        if until not in ("replied", "acknowledged"):
            raise ControlError(400, "until must be 'replied' or 'acknowledged'")
        inter = self.world.interactions.get(int(interaction_id))
        if inter is None:
            raise ControlError(404, f"no interaction {interaction_id}")

        def done() -> bool:
            return inter.replied if until == "replied" else inter.initial is not None

        await self.world.wait_until(done, timeout)
        return self.world.interaction_view(inter)

    async def wait_for_reply(
        self, interaction_id: int | str, timeout: float = 5.0
    ) -> dict[str, Any]:
        return await self.wait_for_interaction(interaction_id, until="replied", timeout=timeout)

    def channel_messages(
        self, channel_id: int, *, include_deleted: bool = False
    ) -> list[dict[str, Any]]:
        """Messages visible in the channel, oldest first (ephemeral ones are not listed)."""
        return [
            m.view()
            for m in self.world.channel_messages(int(channel_id), include_deleted=include_deleted)
        ]

    async def wait_for_messages(
        self, channel_id: int, count: int = 1, timeout: float = 5.0
    ) -> list[dict[str, Any]]:
        cid = int(channel_id)
        await self.world.wait_until(lambda: len(self.world.channel_messages(cid)) >= count, timeout)
        return self.channel_messages(cid)

    def message(self, message_id: int | str) -> dict[str, Any]:
        msg = self.world.messages.get(int(message_id))
        if msg is None:
            raise ControlError(404, f"no message {message_id}")
        return msg.view()

    def delete_message(self, message_id: int | str) -> None:
        """A moderator deletes a message: fetching or editing it answers 10008 from now."""
        msg = self.world.messages.get(int(message_id))
        if msg is None:
            raise ControlError(404, f"no message {message_id}")
        msg.deleted = True

    def synced_commands(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        if guild_id is None:
            return list(self.world.global_commands)
        return list(self.world.guild_commands.get(int(guild_id), []))

    def requests(self, method: str | None = None, path: str | None = None) -> list[dict[str, Any]]:
        """The REST request log; path is a regex searched in the path below the API base."""
        rx = re.compile(path) if path else None
        return [
            r
            for r in self.world.requests
            if (method is None or r["method"] == method.upper())
            and (rx is None or rx.search(r["path"]))
        ]

    def unhandled_requests(self) -> list[dict[str, Any]]:
        return list(self.world.unhandled)

    # --- faults -----------------------------------------------------------------------------

    def inject_fault(
        self,
        method: str = "*",
        path: str = ".*",
        *,
        kind: str = "ratelimit",
        count: int = 1,
        status: int = 500,
        retry_after: float = 0.1,
        hang_seconds: float = 5.0,
        is_global: bool = False,
    ) -> dict[str, Any]:
        """The next ``count`` REST requests whose method matches and whose path below the API
        base matches the regex ``path`` (re.search; e.g. r"^/webhooks/") get:
        kind="ratelimit": 429 + Retry-After (retry_after s) as Discord sends it;
        kind="status": HTTP ``status`` (500/502/503...); kind="hang": a delay of hang_seconds
        before normal handling; kind="slow_response": normal handling (the message exists),
        then a delay of hang_seconds before the answer (Discord withholds it); kind="fail_after":
        normal handling (it took effect), then HTTP ``status`` instead of the answer."""
        kinds = ("ratelimit", "status", "hang", "slow_response", "fail_after")
        if kind not in kinds:
            raise ControlError(400, f"kind must be one of {', '.join(kinds)}")
        try:
            pattern = re.compile(path)
        except re.error as exc:
            raise ControlError(400, f"bad path regex: {exc}") from None
        fault = Fault(
            id=next(self.world._fault_ids),
            method=method.upper(),
            pattern=pattern,
            kind=kind,
            remaining=int(count),
            status=int(status),
            retry_after=float(retry_after),
            hang_seconds=float(hang_seconds),
            is_global=bool(is_global),
        )
        self.world.faults.append(fault)
        return fault.view()

    def faults(self) -> list[dict[str, Any]]:
        return [f.view() for f in self.world.faults]

    def clear_faults(self) -> None:
        self.world.faults.clear()

    # --- gateway ----------------------------------------------------------------------------

    def gateway_state(self) -> dict[str, Any]:
        return self.gateway.view()

    def heartbeat_acks(self) -> list[int]:
        """HEARTBEAT_ACKs sent, per gateway connection (oldest connection first)."""
        return [c.acks for c in self.gateway.connections]

    async def wait_until_connected(self, timeout: float = 10.0) -> bool:
        return bool(await self.world.wait_until(lambda: self.gateway.view()["connected"], timeout))

    async def wait_for_shards(self, count: int, timeout: float = 10.0) -> list[list[int]]:
        """Wait until shards 0..count-1 (of `count`) each have a connected session;
        returns the connected sessions' [id, count] pairs."""

        def connected() -> list[list[int]]:
            return sorted(s["shard"] for s in self.gateway.shards()
                          if s["connected"] and s["shard"] and s["shard"][1] == count)  # fmt: skip

        await self.world.wait_until(lambda: len(connected()) >= count, timeout)
        return connected()

    async def wait_for_heartbeat_acks(self, count: int, timeout: float = 5.0) -> int:
        """Wait until the newest connection has had ``count`` heartbeats acknowledged."""

        def acks() -> int:
            return self.gateway.connections[-1].acks if self.gateway.connections else 0

        await self.world.wait_until(lambda: acks() >= count, timeout)
        return acks()

    async def request_reconnect(self) -> int:
        """Send op 7 RECONNECT; discord.py closes and RESUMEs."""
        from .gateway import OP_RECONNECT

        return await self.gateway.send_op(OP_RECONNECT)

    async def drop_gateway(self, code: int = 4000) -> int:
        """Close the gateway socket(s) with a resumable close code."""
        return await self.gateway.drop(code)

    async def invalidate_session(self, resumable: bool = False) -> int:
        return await self.gateway.invalidate(resumable)

    async def dispatch_event(self, event: str, data: Any) -> bool:
        """Send any DISPATCH event to the bot (escape hatch for events not modelled here)."""
        return await self.gateway.dispatch(event, data) is not None

    def state(self) -> dict[str, Any]:
        w = self.world
        return {
            "api_base": self.api_base,
            "gateway_url": self.gateway_url,
            "bot_user": w.bot_user,
            "application_id": str(w.application_id),
            "default_user_id": str(w.default_user_id),
            "guilds": [_stringify_ids(self.guild_view(g)) for g in w.guilds],
            "config": self.config.view(),
            "clock_offset": w.clock.offset,
            "gateway": self.gateway_state(),
        }


def _stringify_ids(view: dict[str, Any]) -> dict[str, Any]:
    out = dict(view)
    out["id"] = str(view["id"])
    out["channels"] = {k: str(v) for k, v in view["channels"].items()}
    out["channel_details"] = [{**c, "id": str(c["id"])} for c in view["channel_details"]]
    return out


def _infer_type(value: Any) -> int:
    if isinstance(value, StoredAttachment | bytes | tuple) or (
        isinstance(value, dict) and ("data" in value or "data_b64" in value or "filename" in value)
    ):
        return OPTION_TYPES["attachment"]
    if isinstance(value, bool):
        return OPTION_TYPES["boolean"]
    if isinstance(value, int):
        return OPTION_TYPES["integer"]
    if isinstance(value, float):
        return OPTION_TYPES["number"]
    return OPTION_TYPES["string"]


class ThreadedFakeDiscord:
    """Runs a FakeDiscord on its own event loop in a daemon thread (for sync tests, or when
    the bot runs as a subprocess and the test drives the emulator with ControlClient)."""

    def __init__(self, **kwargs: Any) -> None:
        self.fake = FakeDiscord(**kwargs)
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self.loop.run_forever, daemon=True, name="fakediscord"
        )

    def start(self, host: str = "127.0.0.1", port: int = 0) -> FakeDiscord:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.fake.start(host, port), self.loop).result(10)
        return self.fake

    def call(self, coro: Any, timeout: float = 30.0) -> Any:
        """Run one of the fake's coroutines on its loop: ``t.call(t.fake.create_guild("g"))``."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        asyncio.run_coroutine_threadsafe(self.fake.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        self.loop.close()


@contextmanager
def threaded_fake_discord(**kwargs: Any) -> Iterator[ThreadedFakeDiscord]:
    runner = ThreadedFakeDiscord(**kwargs)
    runner.start()
    try:
        yield runner
    finally:
        runner.stop()
