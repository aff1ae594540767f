"""The gateway websocket: HELLO, IDENTIFY -> READY + GUILD_CREATE, heartbeats, RESUME.

Shards: an IDENTIFY with ``"shard": [id, count]`` opens a session for the guilds with
``(guild_id >> 22) % count == id``; READY lists only those, GUILD_CREATE is sent for them
only, and every guild event (an interaction too) goes to the session of its guild's shard.
Events of no guild go to shard 0, as Discord sends DMs. An IDENTIFY without ``shard`` is
one session for every guild. A new IDENTIFY replaces the older sessions it overlaps (same
shard id, another shard count, or unsharded), as a restarted process's would.

discord.py connects with ``?v=10&encoding=json&compress=zlib-stream`` (or ``zstd-stream``
when a zstd module is installed). We honour zlib-stream the way Discord does: one shared
zlib context per connection, every payload flushed with Z_SYNC_FLUSH so each binary frame
ends in ``00 00 ff ff``. For any other compression value we send plain text frames, which
discord.py also accepts.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import secrets
import time
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

if TYPE_CHECKING:
    from .server import FakeDiscord

log = logging.getLogger("fakediscord.gateway")

OP_DISPATCH = 0
OP_HEARTBEAT = 1
OP_IDENTIFY = 2
OP_PRESENCE = 3
OP_VOICE_STATE = 4
OP_RESUME = 6
OP_RECONNECT = 7
OP_REQUEST_MEMBERS = 8
OP_INVALID_SESSION = 9
OP_HELLO = 10
OP_HEARTBEAT_ACK = 11

PRIVILEGED = (1 << 1) | (1 << 8) | (1 << 15)


@dataclass
class Session:
    """A gateway session; outlives a single connection so RESUME can replay events."""

    id: str
    intents: int
    seq: int = 0
    buffer: list[dict[str, Any]] = field(default_factory=list)
    connection: Connection | None = None
    invalid: bool = False
    shard: tuple[int, int] | None = None  # (id, count); None: unsharded, every guild

    def covers(self, guild_id: int | None) -> bool:
        """This session receives the events of this guild (None: of no guild)."""
        if self.shard is None:
            return True
        shard_id, count = self.shard
        return (0 if guild_id is None else (guild_id >> 22) % count) == shard_id

    def overlaps(self, shard: tuple[int, int] | None) -> bool:
        if self.shard is None or shard is None or self.shard[1] != shard[1]:
            return True
        return self.shard[0] == shard[0]

    @property
    def connected(self) -> bool:
        c = self.connection
        return bool(c and c.open and (c.identified or c.resumed))

    def next_event(self, event: str, data: Any) -> dict[str, Any]:
        self.seq += 1
        payload = {"op": OP_DISPATCH, "t": event, "s": self.seq, "d": data}
        self.buffer.append(payload)
        del self.buffer[:-1000]
        return payload


class Connection:
    _ids = itertools.count(1)

    def __init__(
        self, ws: web.WebSocketResponse, compress: str | None, query: dict[str, str]
    ) -> None:
        self.id = next(self._ids)
        self.ws = ws
        self.compress = compress
        self.query = query
        self._zlib = zlib.compressobj() if compress == "zlib-stream" else None
        self._lock = asyncio.Lock()
        self.session: Session | None = None
        self.heartbeats = 0
        self.acks = 0
        self.identified = False
        self.resumed = False
        self.opened_at = time.time()
        self.closed_at: float | None = None
        self.close_code: int | None = None
        self.received: list[dict[str, Any]] = []

    @property
    def open(self) -> bool:
        return self.closed_at is None and not self.ws.closed

    async def send(self, payload: dict[str, Any]) -> None:
        text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
        async with self._lock:
            if self.ws.closed:
                return
            try:
                if self._zlib is not None:
                    data = self._zlib.compress(text.encode()) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
                    await self.ws.send_bytes(data)
                else:
                    await self.ws.send_str(text)
            except (ConnectionError, RuntimeError) as exc:
                log.debug("send on closed gateway connection %s: %s", self.id, exc)

    async def close(self, code: int, message: str = "") -> None:
        self.close_code = code
        await self.ws.close(code=code, message=message.encode())

    def view(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "session_id": self.session.id if self.session else None,
            "open": self.open,
            "identified": self.identified,
            "resumed": self.resumed,
            "compress": self.compress,
            "encoding": self.query.get("encoding"),
            "version": self.query.get("v"),
            "heartbeats": self.heartbeats,
            "heartbeat_acks": self.acks,
            "opened_at": self.opened_at,
            "closed_at": self.closed_at,
            "close_code": self.close_code,
            "intents": self.session.intents if self.session else None,
        }


class Gateway:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.sessions: dict[str, Session] = {}
        self.connections: list[Connection] = []

    # --- helpers used by the rest of the emulator ------------------------------------

    def active_session(self, guild_id: int | None = None) -> Session | None:
        """The session that receives this guild's events (by default: any guild's): the
        newest one of its shard that is not invalidated, connected ones first."""
        live = [s for s in self.sessions.values() if not s.invalid]
        if guild_id is not None:
            live = [s for s in live if s.covers(guild_id)]
        connected = [s for s in live if s.connection is not None and s.connection.open]
        if connected:
            return connected[-1]
        return live[-1] if live else None

    async def dispatch(
        self, event: str, data: Any, *, intent: int | None = None, guild_id: int | None = None
    ) -> Session | None:
        """Send a DISPATCH to the session of the event's guild (its shard's; buffered for
        RESUME if disconnected). Returns that session, or None when nobody receives it."""
        guild = guild_id if guild_id is not None else guild_of(event, data)
        live = [s for s in self.sessions.values() if not s.invalid]
        session = self.active_session(guild if guild is not None else 0)
        if session is None and guild is None and live:
            session = self.active_session()  # a sharded bot without shard 0: still one
        if session is None:
            return None
        if intent is not None and not session.intents & intent:
            return None
        payload = session.next_event(event, data)
        if session.connection is not None and session.connection.open:
            await session.connection.send(payload)
        return session

    def shards(self) -> list[dict[str, Any]]:
        """The live sessions' shards: [{"shard": [id, count] | None, "connected"}]."""
        return [
            {"shard": list(s.shard) if s.shard else None, "connected": s.connected,
             "session_id": s.id}
            for s in self.sessions.values() if not s.invalid
        ]  # fmt: skip

    async def send_op(self, op: int, data: Any = None) -> int:
        sent = 0
        for conn in list(self.connections):
            if conn.open:
                await conn.send({"op": op, "d": data})
                sent += 1
        return sent

    async def drop(self, code: int = 4000) -> int:
        """Close every open connection (as a network blip would); sessions stay resumable."""
        n = 0
        for conn in list(self.connections):
            if conn.open:
                await conn.close(code, "emulator drop")
                n += 1
        return n

    async def invalidate(self, resumable: bool = False) -> int:
        if not resumable:
            for s in self.sessions.values():
                s.invalid = True
        return await self.send_op(OP_INVALID_SESSION, resumable)

    def view(self) -> dict[str, Any]:
        s = self.active_session()
        return {
            "connected": bool(
                s
                and s.connection
                and s.connection.open
                and (s.connection.identified or s.connection.resumed)
            ),
            "session_id": s.id if s else None,
            "connections": [c.view() for c in self.connections],
            "shards": self.shards(),
        }

    # --- the websocket handler --------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        compress = request.query.get("compress")
        if compress not in ("zlib-stream",) or not self.fake.config.compress_gateway:
            compress = None
        conn = Connection(ws, compress, dict(request.query))
        self.connections.append(conn)
        await self.fake.world.notify()
        try:
            if request.query.get("encoding", "json") != "json":
                await conn.close(4002, "Only JSON encoding is emulated")
                return ws
            await conn.send(
                {
                    "op": OP_HELLO,
                    "d": {"heartbeat_interval": self.fake.config.heartbeat_interval_ms},
                }
            )
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    try:
                        payload = json.loads(msg.data)
                    except ValueError:
                        await conn.close(4002, "Error while decoding payload.")
                        break
                    conn.received.append(payload)
                    del conn.received[:-200]
                    await self._on_payload(conn, payload)
                elif msg.type == WSMsgType.BINARY:
                    await conn.close(4002, "Binary (ETF) payloads are not emulated.")
                    break
                elif msg.type in (WSMsgType.ERROR, WSMsgType.CLOSE):
                    break
        finally:
            conn.closed_at = time.time()
            if conn.close_code is None:
                conn.close_code = ws.close_code
            if conn.session is not None and conn.session.connection is conn:
                conn.session.connection = None
            await self.fake.world.notify()
        return ws

    async def _on_payload(self, conn: Connection, payload: dict[str, Any]) -> None:
        op = payload.get("op")
        data = payload.get("d")
        if op == OP_HEARTBEAT:
            conn.heartbeats += 1
            if self.fake.config.ack_heartbeats:
                await conn.send({"op": OP_HEARTBEAT_ACK})
                conn.acks += 1
            await self.fake.world.notify()
        elif op == OP_IDENTIFY:
            await self._identify(conn, data or {})
        elif op == OP_RESUME:
            await self._resume(conn, data or {})
        elif op == OP_REQUEST_MEMBERS:
            await self._request_members(conn, data or {})
        elif op in (OP_PRESENCE, OP_VOICE_STATE):
            pass
        else:
            await conn.close(4001, "Unknown opcode.")

    async def _identify(self, conn: Connection, data: dict[str, Any]) -> None:
        if conn.identified or conn.resumed:
            await conn.close(4005, "Already authenticated.")
            return
        if data.get("token") != self.fake.config.token:
            await conn.close(4004, "Authentication failed.")
            return
        intents = int(data.get("intents", 0) or 0)
        if intents & PRIVILEGED & ~self.fake.config.privileged_intents:
            await conn.close(4014, "Disallowed intent(s).")
            return
        shard = parse_shard(data.get("shard"))
        if shard is False:
            await conn.close(4010, "Invalid shard.")
            return
        world = self.fake.world
        session = Session(id=secrets.token_hex(16), intents=intents, shard=shard or None)
        # A new IDENTIFY replaces older sessions of its shard, as a restarted bot's would.
        for old in self.sessions.values():
            if old.overlaps(session.shard):
                old.invalid = True
        self.sessions[session.id] = session
        session.connection = conn
        conn.session = session
        conn.identified = True
        ready = {
            "v": 10,
            "user": world.bot_user,
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.fake.gateway_url,
            "guilds": [
                {"id": str(g), "unavailable": True} for g in world.guilds if session.covers(g)
            ],
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "application": {"id": str(world.application_id), "flags": 0},
            "_trace": ["fakediscord"],
        }
        if "shard" in data:
            ready["shard"] = data["shard"]
        await conn.send(session.next_event("READY", ready))
        for guild in [g for g in world.guilds.values() if session.covers(g.id)]:
            await conn.send(session.next_event("GUILD_CREATE", world.guild_wire(guild)))
        await world.notify()

    async def _resume(self, conn: Connection, data: dict[str, Any]) -> None:
        session = self.sessions.get(str(data.get("session_id")))
        if data.get("token") != self.fake.config.token:
            await conn.close(4004, "Authentication failed.")
            return
        if session is None or session.invalid:
            await conn.send({"op": OP_INVALID_SESSION, "d": False})
            return
        seq = int(data.get("seq") or 0)
        if (
            session.connection is not None
            and session.connection is not conn
            and session.connection.open
        ):
            await session.connection.close(4009, "Session resumed elsewhere.")
        session.connection = conn
        conn.session = session
        conn.resumed = True
        for payload in [p for p in session.buffer if p["s"] > seq]:
            await conn.send(payload)
        await conn.send(session.next_event("RESUMED", {"_trace": ["fakediscord"]}))
        await self.fake.world.notify()

    async def _request_members(self, conn: Connection, data: dict[str, Any]) -> None:
        world = self.fake.world
        if conn.session is None:
            return
        guild_ids = data.get("guild_id")
        for gid in guild_ids if isinstance(guild_ids, list) else [guild_ids]:
            guild = world.guilds.get(int(gid or 0))
            if guild is None:
                continue
            chunk: dict[str, Any] = {
                "guild_id": str(guild.id),
                "members": [world.member_wire(guild, uid) for uid in guild.member_ids],
                "chunk_index": 0,
                "chunk_count": 1,
            }
            if data.get("nonce"):
                chunk["nonce"] = data["nonce"]
            await conn.send(conn.session.next_event("GUILD_MEMBERS_CHUNK", chunk))


def parse_shard(value: Any) -> tuple[int, int] | None | bool:
    """IDENTIFY's ``shard``: (id, count); None when absent; False when invalid (4010)."""
    if value is None:
        return None
    try:
        shard_id, count = (int(v) for v in value)
    except (TypeError, ValueError):
        return False
    if count < 1 or not 0 <= shard_id < count:
        return False
    return shard_id, count


# Events whose payload is the guild itself (its "id"); the others carry "guild_id".
_GUILD_PAYLOADS = ("GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE")


def guild_of(event: str, data: Any) -> int | None:
    """The guild an event belongs to (it decides the shard), or None."""
    if not isinstance(data, dict):
        return None
    raw = data.get("id") if event in _GUILD_PAYLOADS else data.get("guild_id")
    try:
        return int(raw) if raw is not None else None
    except (TypeError, ValueError):
        return None
