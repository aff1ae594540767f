"""The emulator's shards, seen from raw gateway connections (IDENTIFY with "shard")."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp

from tests.fakediscord import FakeDiscord


class RawShard:
    """A gateway connection in plain JSON (no compression) that collects dispatches."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.events: list[dict[str, Any]] = []
        self.closed_with: int | None = None

    async def identify(self, fake: FakeDiscord, shard: list[int] | None) -> None:
        hello = json.loads((await self.ws.receive()).data)
        assert hello["op"] == 10
        data: dict[str, Any] = {"token": fake.token, "intents": 1, "properties": {}}
        if shard is not None:
            data["shard"] = shard
        await self.ws.send_json({"op": 2, "d": data})

    async def read(self) -> None:
        async for msg in self.ws:
            if msg.type == aiohttp.WSMsgType.TEXT:
                payload = json.loads(msg.data)
                if payload.get("op") == 0:
                    self.events.append(payload)
        self.closed_with = self.ws.close_code

    def names(self, event: str) -> list[str]:
        return [e["d"].get("name") or e["d"].get("id") for e in self.events if e["t"] == event]


@asynccontextmanager
async def shard(
    fake: FakeDiscord, session: aiohttp.ClientSession, ident: list[int] | None
) -> AsyncIterator[RawShard]:
    async with session.ws_connect(fake.gateway_url + "?v=10&encoding=json") as ws:
        raw = RawShard(ws)
        await raw.identify(fake, ident)
        reader = asyncio.create_task(raw.read())
        try:
            yield raw
        finally:
            await ws.close()
            await reader


async def _until(predicate: Any, timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.02)


async def test_guilds_and_interactions_go_to_their_shard() -> None:
    async with FakeDiscord() as fake, aiohttp.ClientSession() as http:
        zero = await fake.create_guild("zero", shard=(0, 2))
        one = await fake.create_guild("one", shard=(1, 2))
        assert (int(zero["id"]) >> 22) % 2 == 0 and (int(one["id"]) >> 22) % 2 == 1
        async with shard(fake, http, [0, 2]) as s0, shard(fake, http, [1, 2]) as s1:
            await _until(lambda: s0.names("GUILD_CREATE") and s1.names("GUILD_CREATE"))
            assert await fake.wait_for_shards(2) == [[0, 2], [1, 2]]
            ready0 = next(e["d"] for e in s0.events if e["t"] == "READY")
            assert [g["id"] for g in ready0["guilds"]] == [str(zero["id"])]
            assert ready0["shard"] == [0, 2]
            assert s0.names("GUILD_CREATE") == ["zero"] and s1.names("GUILD_CREATE") == ["one"]
            # A guild created later goes to its shard only, and so do its interactions.
            late = await fake.create_guild("late", shard=(1, 2))
            first = await fake.fire_slash_command(
                "ping", channel_id=zero["channels"]["general"], require_synced=False
            )
            second = await fake.fire_slash_command(
                "ping", channel_id=late["channels"]["general"], require_synced=False
            )
            assert first["shard"] == [0, 2] and second["shard"] == [1, 2]
            await _until(lambda: s0.names("INTERACTION_CREATE") and
                         len(s1.names("INTERACTION_CREATE")) == 1)  # fmt: skip
            assert [e["d"]["id"] for e in s0.events if e["t"] == "INTERACTION_CREATE"] == [
                first["id"]
            ]
            assert [e["d"]["id"] for e in s1.events if e["t"] == "INTERACTION_CREATE"] == [
                second["id"]
            ]
            assert s1.names("GUILD_CREATE") == ["one", "late"]
            assert s0.names("GUILD_CREATE") == ["zero"]


async def test_an_unsharded_session_gets_every_guild_and_bad_shards_are_refused() -> None:
    async with FakeDiscord() as fake, aiohttp.ClientSession() as http:
        await fake.create_guild("zero", shard=(0, 2))
        await fake.create_guild("one", shard=(1, 2))
        async with shard(fake, http, None) as whole:
            await _until(lambda: len(whole.names("GUILD_CREATE")) == 2)
        for bad in ([2, 2], [0, 0], ["x", 1]):
            async with shard(fake, http, bad) as refused:
                await _until(lambda r=refused: r.closed_with is not None)  # type: ignore[misc]
                assert refused.closed_with == 4010 and refused.events == []


async def test_gateway_bot_recommends_the_configured_shard_count() -> None:
    async with FakeDiscord() as fake, aiohttp.ClientSession() as http:
        fake.configure(recommended_shards=3)
        headers = {"Authorization": f"Bot {fake.token}"}
        async with http.get(f"{fake.api_base}/gateway/bot", headers=headers) as response:
            assert (await response.json())["shards"] == 3
