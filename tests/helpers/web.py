"""A real WebApp on 127.0.0.1 (a real TCPSite on a free port) around the real SummaryService.

Probes are switchable flags (sync and async) so tests can take the gateway or the
database "down" and bring them back; `post_summary` records what would be posted.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr

from bot.models import Summary
from bot.service import SummaryService
from bot.web import WebApp, WebConfig
from config.settings import load_settings

TOKEN = "test-api-token-0123456789abcdef"
CHANNEL = 111_222_333_444_555_666
OTHER_CHANNEL = 999_888_777_666_555_444


@dataclass
class Switches:
    """Probe results the test controls: gateway (sync), database and poller (async)."""

    gateway: bool = True
    database: bool = True
    poller: bool = True

    def probes(self) -> dict[str, Callable[[], Any]]:
        async def database() -> bool:
            await asyncio.sleep(0)
            return self.database

        async def poller() -> bool:
            return self.poller

        return {"gateway": lambda: self.gateway, "database": database, "poller": poller}


@dataclass
class Poster:
    """Stands in for the bot's post_summary(channel_id, summary)."""

    posted: list[tuple[int, Summary]] = field(default_factory=list)
    fail: bool = False
    delay: float = 0.0
    called: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(self, channel_id: int, summary: Summary) -> int:
        self.called.set()
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail:
            raise ConnectionError("discord is unreachable")
        self.posted.append((channel_id, summary))
        return 4242 + len(self.posted)


@pytest.fixture
async def service() -> AsyncIterator[SummaryService]:
    settings = load_settings(
        _env_file=None, user_cooldown_seconds=0, fetch_allowed_networks=["127.0.0.1/32"]
    )
    svc = SummaryService(settings)
    try:
        yield svc
    finally:
        svc.close()


@pytest.fixture
def switches() -> Switches:
    return Switches()


@pytest.fixture
def poster() -> Poster:
    return Poster()


MakeWeb = Callable[..., Awaitable[WebApp]]


@pytest.fixture
async def make_web(
    service: SummaryService, switches: Switches, poster: Poster
) -> AsyncIterator[MakeWeb]:
    """`await make_web(**WebConfig overrides, post_summary=..., probes=...)` -> a started app."""
    apps: list[WebApp] = []

    async def make(**overrides: Any) -> WebApp:
        post = overrides.pop("post_summary", poster)
        probes = overrides.pop("probes", switches.probes())
        values: dict[str, Any] = {
            "port": 0,
            "api_token": SecretStr(TOKEN),
            "allowed_channels": frozenset({CHANNEL}),
            "max_file_bytes": service.settings.max_file_bytes,
            "probe_interval": 0.1,
            **overrides,
        }
        app = WebApp(WebConfig(**values), service, probes=probes, post_summary=post)
        await app.start()
        apps.append(app)
        return app

    try:
        yield make
    finally:
        for app in apps:
            await app.stop()


@pytest.fixture
async def web(make_web: MakeWeb) -> WebApp:
    return await make_web()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        yield session


def auth(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
