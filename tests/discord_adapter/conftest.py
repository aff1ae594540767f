"""The real PrecisBot, in the test's event loop, connected to the loopback Discord emulator."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.discord_adapter.client import PrecisBot
from config.settings import Settings, load_settings
from tests.conftest import ROOT
from tests.fakediscord import FakeDiscord, point_discord_py_at
from tests.feeds.feedserver import FeedServer


@dataclass
class Harness:
    fake: FakeDiscord
    bot: PrecisBot
    guild: dict[str, Any]

    @property
    def channel(self) -> int:
        return int(self.guild["channels"]["general"])

    async def slash(self, options: dict[str, Any], *, user_id: int | None = None,
                    attachments: dict[str, Any] | None = None,
                    timeout: float = 20.0) -> dict[str, Any]:  # fmt: skip
        inter = await self.fake.fire_slash_command(
            "summarize", options, channel_id=self.channel, user_id=user_id,
            attachments=attachments,
        )  # fmt: skip
        return await self.fake.wait_for_reply(inter["id"], timeout=timeout)


def bot_settings(fake: FakeDiscord, guild_id: int, tmp_path: Path, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "discord_token": fake.token,
        "discord_api_base": fake.api_base,
        "discord_gateway_url": fake.gateway_url,
        "dev_guild_id": guild_id,
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'precis.sqlite3'}",
        "fetch_allowed_networks": ["127.0.0.1/32"],
        "user_cooldown_seconds": 0,
        **extra,
    }
    return load_settings(_env_file=None, **values)


async def start_bot(fake: FakeDiscord, settings: Settings) -> tuple[PrecisBot, asyncio.Task[None]]:
    bot = PrecisBot(settings)
    task = asyncio.create_task(bot.start(fake.token))
    for _ in range(200):
        names = {c["name"] for c in fake.synced_commands(settings.dev_guild_id)}
        if {"summarize", "Summarize", "precis", "feed"} <= names:
            await fake.wait_until_connected()  # interactions need a gateway session
            return bot, task
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    raise AssertionError(f"the bot never synced its commands: {names}")


def process_env(fake: FakeDiscord, guild_id: int, tmp_path: Path, **extra: str) -> dict[str, str]:
    """Environment for a real `python -m bot run` process pointed at the emulator."""
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DISCORD_TOKEN": fake.token,
        "DISCORD_API_BASE": fake.api_base,
        "DISCORD_GATEWAY_URL": fake.gateway_url,
        "DEV_GUILD_ID": str(guild_id),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'precis.sqlite3'}",
        **extra,
    }


async def start_process(
    env: dict[str, str], cwd: Path, command: str = "run", log_name: str = "bot.log"
) -> asyncio.subprocess.Process:
    """Start the bot (`precis run`, or `worker`); its log (stderr) is appended to
    cwd/log_name, never a pipe that could fill up and stall it."""
    with (cwd / log_name).open("ab") as log:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", command, cwd=cwd, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=log,
        )  # fmt: skip


@pytest.fixture
async def feeds() -> AsyncIterator[FeedServer]:
    """Feeds and article pages on 127.0.0.1."""
    server = FeedServer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def bot_overrides() -> dict[str, Any]:
    """Override in a test module (or parametrize) to change the bot's settings."""
    return {}


@pytest.fixture
async def harness(tmp_path: Path, bot_overrides: dict[str, Any]) -> AsyncIterator[Harness]:
    async with FakeDiscord(heartbeat_interval=0.25) as fake:
        guild = await fake.create_guild("Newsroom", channels=["general", "news"])
        restore = point_discord_py_at(fake.api_base, fake.gateway_url)
        settings = bot_settings(fake, int(guild["id"]), tmp_path, **bot_overrides)
        bot, task = await start_bot(fake, settings)
        try:
            yield Harness(fake, bot, guild)
        finally:
            await bot.close()
            await asyncio.wait_for(task, 10)
            restore()
