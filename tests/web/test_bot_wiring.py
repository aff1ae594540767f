"""The web app around the real PrecisBot, connected to the loopback Discord emulator:
readiness from the bot's real gateway, database and poller, and an upload posted to a
channel as an embed through the bot's own sink (bot/discord_adapter/sink.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr

from bot.discord_adapter.client import PrecisBot
from bot.web import API_PATH, WebApp, WebConfig
from tests.conftest import SEED
from tests.discord_adapter.conftest import bot_settings, start_bot
from tests.fakediscord import FakeDiscord, point_discord_py_at
from tests.helpers.web import TOKEN, auth


def gateway_connected(bot: PrecisBot) -> bool:
    return bot.is_ready() and not bot.is_closed() and bot.ws is not None and bot.ws.open


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[tuple[FakeDiscord, PrecisBot, WebApp, int]]:
    async with FakeDiscord(heartbeat_interval=0.25) as fake:
        guild = await fake.create_guild("Newsroom", channels=["general", "news"])
        channel = int(guild["channels"]["news"])
        restore = point_discord_py_at(fake.api_base, fake.gateway_url)
        bot, task = await start_bot(fake, bot_settings(fake, int(guild["id"]), tmp_path))
        web = WebApp(
            WebConfig(port=0, api_token=SecretStr(TOKEN), allowed_channels=frozenset({channel})),
            bot.service,
            probes={
                "gateway": lambda: gateway_connected(bot),
                "database": bot.store.ping,
                "poller": lambda: bot.feeds.healthy,
            },
            post_summary=bot.sink.post_summary,  # the bot's one send path
        )
        await web.start()
        try:
            yield fake, bot, web, channel
        finally:
            await web.stop()
            await bot.close()
            await asyncio.wait_for(task, 10)
            restore()


async def test_ready_then_upload_posts_an_embed_then_not_ready_on_close(
    running: tuple[FakeDiscord, PrecisBot, WebApp, int],
) -> None:
    fake, bot, web, channel = running
    async with aiohttp.ClientSession() as http:
        body: dict[str, Any] = {}
        for _ in range(100):  # the poller starts last in setup_hook
            async with http.get(web.url + "/readyz") as r:
                body = await r.json()
                if r.status == 200:
                    break
            await asyncio.sleep(0.05)
        assert body["status"] == "ready", body

        payload = {"text": SEED.read_text(), "channel_id": channel}
        async with http.post(web.url + API_PATH, json=payload, headers=auth()) as r:
            assert r.status == 200, await r.text()
            answer = await r.json()
            message_id = r.headers["X-Precis-Message-Id"]
        [message] = await fake.wait_for_messages(channel, 1, timeout=5)
        assert str(message["id"]) == message_id
        [embed] = message["embeds"]
        assert embed["title"] == answer["title"]
        assert embed["description"].count("•") == len(answer["summary"])

        await bot.close()  # the gateway goes: readiness says so
        async with http.get(web.url + "/readyz") as r:
            assert r.status == 503
            assert (await r.json())["checks"]["gateway"]["ok"] is False
