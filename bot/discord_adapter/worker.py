"""`precis worker`: the feed scheduler and deliverer without a gateway connection.

It logs in over REST with the bot token (discord.py's `login()`, never `connect()`), polls
the feeds it claims in the shared database and posts through Discord's REST API; commands
and interactions stay with the `precis run` process (FEEDS_IN_GATEWAY=false leaves the
feeds to the workers). Any number of workers share one PostgreSQL database: work is
claimed with leases (bot/feeds/queue.py), the per-host limit and Discord's rate limits
are kept in the database for all of them (bot/feeds/politeness.py, ratelimits.py).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import sys

import aiohttp
import discord
from sqlalchemy.exc import SQLAlchemyError

from bot import metrics
from bot.discord_adapter.client import NO_TOKEN_HELP, feeds_config, point_at_discord
from bot.discord_adapter.ratelimits import SharedRateLimits
from bot.discord_adapter.sink import DiscordSink
from bot.discord_adapter.threads import install_single_attempt
from bot.feeds.schema import PENDING
from bot.feeds.service import FeedService
from bot.feeds.store import Store
from bot.logs import setup_logging
from bot.service import SummaryService
from bot.web import WebApp, WebConfig
from config.settings import Settings

log = logging.getLogger("precis.worker")


class WorkerClient(discord.Client):
    """A discord.py client used for its REST half only."""

    def __init__(self, settings: Settings, limits: SharedRateLimits) -> None:
        trace = limits.install(install_single_attempt(metrics.discord_trace_config()))
        intents = discord.Intents.none()
        intents.guilds = True  # never connected; only keeps discord.py from warning
        super().__init__(
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
            http_trace=trace,
        )
        self.settings = settings


class Worker:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.limits = SharedRateLimits(settings.discord_global_rate)
        self.client = WorkerClient(settings, self.limits)
        self.service = SummaryService(settings)
        self.name = settings.feed_worker_name or socket.gethostname()[:64]
        self.store: Store | None = None
        self.feeds: FeedService | None = None
        self.web: WebApp | None = None

    async def start(self, token: str) -> None:
        await self.service.start()
        self.store = store = await Store.open(self.settings.database_url)
        self.limits.attach(store)
        if store.engine.dialect.name != "postgresql":
            log.warning(
                "a worker on SQLite: run no other feed process on this database "
                "(host limits and Discord's limits are shared on PostgreSQL only)"
            )
        await self.client.login(token)  # REST: checks the token, learns our user id
        sink = DiscordSink(self.client, gateway=False)
        self.feeds = FeedService(
            store, self.service.summarize_feed_item, sink,
            feeds_config(self.settings, self.name), limits=self.service.limits,
        )  # fmt: skip
        await self.feeds.start()
        if self.settings.web_enabled:  # after the poller: its probe is true from the start
            self.web = WebApp(
                WebConfig.from_settings(self.settings),
                self.service,
                probes={
                    "database": store.ping,
                    "poller": lambda: self.feeds is not None and self.feeds.healthy,
                },
            )
            metrics.track_queue_length(self.queue_length)
            await self.web.start()
        log.info("feed worker %s started (REST only, no gateway)", self.name)

    async def queue_length(self) -> int:
        return 0 if self.store is None else (await self.store.delivery_counts()).get(PENDING, 0)

    async def close(self) -> None:
        self.service.close()
        if self.web is not None:
            await self.web.stop()
            metrics.track_queue_length(None)
        if self.feeds is not None:
            await self.feeds.stop()
        await self.client.close()
        if self.store is not None:
            await self.store.close()
        log.info("feed worker %s stopped", self.name)


async def _serve(worker: Worker, token: str) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        starting = asyncio.create_task(worker.start(token))
        stopper = asyncio.create_task(stop.wait())
        await asyncio.wait({starting, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if starting.done():
            starting.result()  # re-raise a login or database failure
            await stopper
        else:
            starting.cancel()
        log.info("shutting down")
    finally:
        await worker.close()


def run_worker(settings: Settings) -> int:
    token = settings.discord_token.get_secret_value() if settings.discord_token else ""
    api_token = settings.api_token.get_secret_value() if settings.api_token else ""
    setup_logging(settings.log_level, secrets=[token, api_token], fmt=settings.log_format)
    if not token.strip():
        print(NO_TOKEN_HELP, file=sys.stderr)
        return 2
    point_at_discord(settings.discord_api_base, settings.discord_gateway_url)
    try:
        asyncio.run(_serve(Worker(settings), token))
    except discord.LoginFailure:
        log.error("Discord refused the token: check DISCORD_TOKEN.")
        return 1
    except (OSError, SQLAlchemyError, aiohttp.ClientError) as exc:
        log.error("the feed worker could not start: %s: %s", type(exc).__name__, exc)
        log.debug("start-up failure", exc_info=exc)
        return 1
    return 0
