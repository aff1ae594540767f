"""The discord.py bot: loads the cogs, syncs commands, runs until SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from pathlib import Path
from typing import Any

import aiohttp
import discord
import yarl
from discord import app_commands
from discord.ext import commands
from sqlalchemy.exc import SQLAlchemyError

from bot import metrics
from bot.discord_adapter import shards
from bot.discord_adapter.ratelimits import SharedRateLimits
from bot.discord_adapter.sink import DiscordSink
from bot.discord_adapter.threads import install_single_attempt
from bot.feeds.runtime import FeedsConfig
from bot.feeds.schema import PENDING, use_test_clock
from bot.feeds.service import FeedService
from bot.feeds.store import Store
from bot.logs import setup_logging
from bot.service import SummaryService
from bot.web import WebApp, WebConfig
from config.settings import Settings

log = logging.getLogger("precis.bot")

EXTENSIONS = ("cogs.summarize", "cogs.feeds", "cogs.digest", "cogs.watch", "cogs.admin")

# What the bot needs in a channel: read it, post embeds there, start a thread on a post
# and write in threads (forum posts are threads). Nothing else (no mentions of @everyone,
# no management), and no privileged intent.
PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    embed_links=True,
    read_message_history=True,
)
SCOPES = ("bot", "applications.commands")
TEST_CLOCK_ENV = "PRECIS_TEST_CLOCK_FILE"


def invite_url(application_id: int) -> str:
    """The link that adds this bot to a server with exactly the permissions it needs."""
    return discord.utils.oauth_url(application_id, permissions=PERMISSIONS, scopes=SCOPES)


def point_at_discord(api_base: str, gateway_url: str) -> None:
    """Use another API base and gateway (a rate-limit proxy, or the test emulator)."""
    discord.http.Route.BASE = api_base.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


class PrecisBot(commands.Bot):
    def __init__(self, settings: Settings, **options: Any) -> None:
        # Slash commands and context menus need no privileged intents.
        intents = discord.Intents.none()
        intents.guilds = True
        # Discord's limits, kept in the database for every process posting (on PostgreSQL).
        self.limits = SharedRateLimits(settings.discord_global_rate)
        super().__init__(
            **options,
            command_prefix=commands.when_mentioned,
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            # counts Discord's 429s; forum posts are not repeated blindly after a 5xx
            http_trace=self.limits.install(install_single_attempt(metrics.discord_trace_config())),
        )
        self.settings = settings
        self.service = SummaryService(settings)
        self.store: Store
        self.feeds: FeedService
        self.sink = DiscordSink(self)
        self.web: WebApp | None = None

    async def setup_hook(self) -> None:
        self.tree.error(self.on_app_command_error)
        await self.service.start()  # the summary workers' forkserver loads the engine now
        self.store = await Store.open(self.settings.database_url)
        self.limits.attach(self.store)
        self.feeds = FeedService(
            self.store,
            self.service.summarize_feed_item,
            self.sink,
            feeds_config(self.settings),
            limits=self.service.limits,
        )
        if self.settings.web_enabled:  # up early: /healthz answers while commands sync
            self.web = WebApp(
                WebConfig.from_settings(self.settings),
                self.service,
                probes=self._probes(),
                post_summary=self.sink.post_summary,
            )
            metrics.track_queue_length(self.queue_length)
            await self.web.start()
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        await self._sync_commands()
        if self.invite_url:  # known once logged in, before the gateway connects
            log.info("invite link (add the bot to a server): %s", self.invite_url)
        if not self.settings.feeds_in_gateway:
            log.info("feeds left to `precis worker` processes (FEEDS_IN_GATEWAY=false)")
        elif shards.is_primary(self.settings):
            await self.feeds.start()
        else:
            log.info("feeds are polled and posted by the process that connects shard 0")

    async def _sync_commands(self) -> None:
        guild = discord.Object(id=self.settings.dev_guild_id or 0)
        if self.settings.dev_guild_id:
            self.tree.copy_global_to(guild=guild)
        if not shards.is_primary(self.settings):  # one process of a sharded bot tells Discord
            log.info("commands are synced by the process that connects shard 0")
        elif self.settings.dev_guild_id:
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to guild %s", len(synced), guild.id)
        else:
            synced = await self.tree.sync()
            log.info("synced %d global commands", len(synced))

    def _probes(self) -> dict[str, Any]:
        probes: dict[str, Any] = {
            "gateway": self.gateway_connected,
            "database": self.store.ping,
            "summaries": lambda: not self.service.stalled(),
        }
        # the poller runs here only in shard 0's process, and not when workers have the feeds
        if shards.is_primary(self.settings) and self.settings.feeds_in_gateway:
            probes["poller"] = lambda: self.feeds.healthy
        return probes

    def gateway_connected(self) -> bool:
        if not self.is_ready() or self.is_closed():
            return False
        if isinstance(self, discord.AutoShardedClient):  # every shard of this process
            return bool(self.shards) and not any(s.is_closed() for s in self.shards.values())
        return self.ws is not None and self.ws.open

    async def queue_length(self) -> int:
        return (await self.store.delivery_counts()).get(PENDING, 0)

    @property
    def invite_url(self) -> str | None:
        return invite_url(self.application_id) if self.application_id else None

    async def on_ready(self) -> None:
        log.info("connected as %s to %d guild(s)", self.user, len(self.guilds))

    async def on_shard_ready(self, shard_id: int) -> None:
        guilds = sum(1 for guild in self.guilds if guild.shard_id == shard_id)
        log.info("shard %d of %s ready: %d guild(s)", shard_id, self.shard_count, guilds)

    async def on_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        if isinstance(error, app_commands.CheckFailure):
            return  # the check already answered the user
        log.error("command %s failed", interaction.command and interaction.command.qualified_name,
                  exc_info=error)  # fmt: skip
        message = "Something went wrong on my side; it has been logged."
        if interaction.response.is_done():
            await interaction.followup.send(message, ephemeral=True)
        else:
            await interaction.response.send_message(message, ephemeral=True)

    async def close(self) -> None:
        # Summaries still running are stopped (their workers killed): SIGTERM never waits
        # for a long job. API requests and feed posts in flight then finish (with an
        # answer) while the connection is still up.
        self.service.close()
        if self.web is not None:
            await self.web.stop()
            metrics.track_queue_length(None)
        if hasattr(self, "feeds"):
            await self.feeds.stop()
        await super().close()
        if hasattr(self, "store"):
            await self.store.close()


class ShardedPrecisBot(PrecisBot, commands.AutoShardedBot):
    """The same bot on discord.py's sharded client: the shards of SHARD_IDS (all by
    default) over SHARD_COUNT, or as many as Discord recommends (SHARD_COUNT=auto)."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings, **shards.shard_options(settings))


def make_bot(settings: Settings) -> PrecisBot:
    """One unsharded connection unless SHARD_COUNT is set."""
    return ShardedPrecisBot(settings) if settings.sharded else PrecisBot(settings)


def feeds_config(settings: Settings, default_name: str = "main") -> FeedsConfig:
    return FeedsConfig(
        worker_id=settings.feed_worker_name or default_name,
        poll_lease=settings.feed_poll_lease_seconds,
        delivery_lease=settings.feed_delivery_lease_seconds,
        poll_interval=settings.feed_poll_interval,
        max_items_per_poll=settings.feed_max_items_per_poll,
        failure_notice_after=settings.feed_failure_notice_after,
        per_host_limit=settings.feed_per_host_limit,
        global_limit=settings.feed_global_limit,
        delivery_retry_base=settings.feed_retry_seconds,
        max_feed_bytes=settings.max_fetch_bytes,
        default_sentences=settings.default_sentences,
        story_window=settings.story_window_hours * 3600.0,
    )


NO_TOKEN_HELP = """\
Précis needs a Discord bot token to run.
  1. At https://discord.com/developers/applications create an application (New
     Application), then open it → Bot → Reset Token, and copy the token.
  2. Put it in a file named .env next to this README:
         DISCORD_TOKEN=your-token-here
     (or export DISCORD_TOKEN in the environment), then run this command again.
  3. Once running, the bot logs its invite link ("invite link: ..."; also in
     /precis about): open it to add the bot to your server.
See config/example.env for every other setting."""


async def _serve(bot: PrecisBot, token: str) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    runner = asyncio.create_task(bot.start(token))
    stopper = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
    if stopper in done:
        log.info("shutting down")
    await bot.close()
    stopper.cancel()
    if runner in done:
        runner.result()  # re-raise a login failure
    else:
        await asyncio.wait_for(runner, timeout=10)


def install_test_clock(api_base: str) -> None:
    """The end-to-end tests' clock (bot.feeds.schema.use_test_clock): taken only from
    PRECIS_TEST_CLOCK_FILE and only by a bot pointed at a Discord on loopback (the
    emulator), so no production bot can run on a shifted clock by a stray setting."""
    path = os.environ.get(TEST_CLOCK_ENV)
    if not path:
        return
    host = yarl.URL(api_base).host or ""
    if host not in ("127.0.0.1", "localhost", "::1"):
        log.error("%s ignored: only a bot pointed at a loopback Discord (the tests) uses it",
                  TEST_CLOCK_ENV)  # fmt: skip
        return
    use_test_clock(Path(path))
    log.warning("test clock on (%s): time is shifted by the seconds in %s", TEST_CLOCK_ENV, path)


def run_bot(settings: Settings) -> int:
    token = settings.discord_token.get_secret_value() if settings.discord_token else ""
    api_token = settings.api_token.get_secret_value() if settings.api_token else ""
    setup_logging(settings.log_level, secrets=[token, api_token], fmt=settings.log_format)
    if not token.strip():
        print(NO_TOKEN_HELP, file=sys.stderr)
        return 2
    point_at_discord(settings.discord_api_base, settings.discord_gateway_url)
    install_test_clock(settings.discord_api_base)
    log.info("gateway: %s", shards.describe(settings))
    bot = make_bot(settings)
    try:
        asyncio.run(_serve(bot, token))
    except discord.LoginFailure:
        log.error("Discord refused the token: check DISCORD_TOKEN.")
        return 1
    except (OSError, SQLAlchemyError, aiohttp.ClientError) as exc:
        # e.g. an unwritable database folder, a database server that is down, Discord
        # unreachable: one clear line for the operator (the traceback at DEBUG level).
        log.error("Précis could not start: %s: %s", type(exc).__name__, exc)
        log.debug("start-up failure", exc_info=exc)
        return 1
    return 0
