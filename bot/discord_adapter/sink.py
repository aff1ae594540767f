"""The one way Précis posts to Discord: feed items (messages, forum posts, threads on
them), digests, notices and the upload API's summaries.

`send` carries the rules every post follows: no mentions of anyone (whatever the article
says), the per-item nonce with enforce_nonce for feed posts (a repeat after a crash is a
no-op on Discord's side), and Discord's answers translated into sent / retry later / gone.

In a `precis worker` (no gateway: `gateway=False`) there is no cache of channels and
guilds: a channel is fetched over REST once and kept a few minutes (its type decides a
message or a forum post), and a notice whose channel is gone goes to the server's system
channel as REST reports it, without the permission check the gateway's cache allows.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from typing import TYPE_CHECKING, Any

import discord

from bot.discord_adapter import digest_embeds, stories, threads
from bot.discord_adapter.embeds import embed_dict
from bot.discord_adapter.mentions import NO_MENTIONS as NO_MENTIONS  # the cogs import it here
from bot.discord_adapter.mentions import role_ping
from bot.discord_adapter.notices import notice_text
from bot.feeds.rows import Delivery, Notice
from bot.feeds.runtime import DeliveryResult
from bot.feeds.story_rows import StoryGroup
from bot.models import Summary

if TYPE_CHECKING:
    from bot.discord_adapter.client import PrecisBot
    from bot.discord_adapter.worker import WorkerClient

log = logging.getLogger("precis.discord")

CHANNEL_TTL = 300.0  # seconds a channel fetched over REST is trusted (no gateway updates)
CHANNELS_KEPT = 20_000


class PostFailed(Exception):
    """A summary could not be posted (the reason may name the channel: log it, no more)."""


class DiscordSink:
    """Posts feed items and notices for the feeds package, and summaries for the API."""

    def __init__(self, bot: PrecisBot | WorkerClient, *, gateway: bool = True) -> None:
        self.bot = bot
        self.gateway = gateway
        self._channels: dict[int, tuple[float, Any]] = {}

    async def channel(self, channel_id: int) -> Any:
        """The channel from the gateway's cache, else over REST (kept CHANNEL_TTL)."""
        found = self.bot.get_channel(channel_id)
        if found is not None:
            return found
        kept = self._channels.get(channel_id)
        if kept is not None and time.monotonic() - kept[0] < CHANNEL_TTL:
            return kept[1]
        fetched = await self.bot.fetch_channel(channel_id)
        if len(self._channels) >= CHANNELS_KEPT:
            self._channels.clear()
        self._channels[channel_id] = (time.monotonic(), fetched)
        return fetched

    async def deliver(self, delivery: Delivery, summary: Summary) -> DeliveryResult:
        log.debug("posting item %s of subscription %s in %s (nonce %s): %s",
                  delivery.item.key, delivery.subscription_id, delivery.channel_id,
                  delivery.nonce, summary.title)  # fmt: skip
        embed = discord.Embed.from_dict(
            embed_dict(summary, feed_name=delivery.feed_title, server=delivery.server)
        )
        return await self.send(
            delivery.channel_id, embed=embed, nonce=delivery.nonce, ping_role=delivery.ping_role
        )

    @property
    def _archive(self) -> int:
        return int(self.bot.settings.feed_thread_archive_minutes)

    async def create_forum_post(
        self, delivery: Delivery, summary: Summary, name: str
    ) -> DeliveryResult:
        if not await self._ready():
            return DeliveryResult.retry(30, "not connected to Discord")
        log.debug("creating forum post %r for item %s of subscription %s in %s", name,
                  delivery.item.key, delivery.subscription_id, delivery.channel_id)  # fmt: skip
        return await threads.create_forum_post(self, delivery, summary, name, self._archive)

    async def own_forum_posts(
        self, delivery: Delivery, name: str, since: dt.datetime
    ) -> list[int] | DeliveryResult:
        if not await self._ready():
            return DeliveryResult.retry(30, "not connected to Discord")
        return await threads.own_forum_posts(self.bot, delivery, name, since)

    async def start_thread(self, delivery: Delivery, message_id: int, name: str) -> DeliveryResult:
        if not await self._ready():
            return DeliveryResult.retry(30, "not connected to Discord")
        return await threads.start_thread(self.bot, delivery, message_id, name, self._archive)

    async def add_to_story(self, delivery: Delivery, group: StoryGroup) -> DeliveryResult:
        if not await self._ready():
            return DeliveryResult.retry(30, "not connected to Discord")
        log.debug("adding item %s of subscription %s to the post %s of story %s",
                  delivery.item.key, delivery.subscription_id, group.message_id,
                  group.lead_id)  # fmt: skip
        most = int(self.bot.settings.story_max_outlets)
        return await stories.add_to_story(self.bot, delivery, group, most)

    async def _ready(self) -> bool:
        if not self.gateway:  # REST only: logged in is ready
            return self.bot.user is not None
        if self.bot.is_ready():
            return True
        try:  # e.g. just started: the first items are due before the gateway is ready
            await asyncio.wait_for(self.bot.wait_until_ready(), timeout=30)
        except TimeoutError:
            return False
        return True

    async def notify(self, notice: Notice) -> DeliveryResult:
        text = notice_text(notice)
        if notice.kind == "watch":
            return await self._watch_notice(notice, text)
        result = await self.send(notice.channel_id, content=text)
        if result.kind != "gone":
            return result
        # The channel itself is gone or closed to us: tell the server where we still can.
        fallback = await self._fallback(notice.guild_id)
        if fallback is None or fallback == notice.channel_id:
            return result
        return await self.send(fallback, content=text)

    async def _fallback(self, guild_id: int) -> int | None:
        guild = self.bot.get_guild(guild_id)
        if guild is not None:
            channel = guild.system_channel or _first_writable(guild)
            return channel.id if channel is not None else None
        if self.gateway:
            return None
        try:  # no gateway cache: the system channel REST reports, unchecked
            data = await self.bot.http.get_guild(guild_id)
        except threads.ERRORS as exc:
            log.info("guild %s not readable for a notice: %s", guild_id, exc)
            return None
        system = data.get("system_channel_id")
        return int(system) if system else None

    async def _watch_notice(self, notice: Notice, text: str) -> DeliveryResult:
        """A watch's notice: only its role may ping (never @everyone, @here or a user),
        and the nonce of (watch, item) makes a repeat after a crash the same message. A
        channel gone is not replaced by another: a ping belongs where it was asked for."""
        role = notice.params.get("role_id")
        mentions = discord.AllowedMentions(
            everyone=False, users=False, replied_user=False,
            roles=[discord.Object(int(role))] if role else False,
        )  # fmt: skip
        nonce = str(notice.params.get("nonce") or "") or None
        return await self.send(notice.channel_id, content=text, nonce=nonce, mentions=mentions)

    def digest_pages(self, content: dict[str, Any]) -> list[Any]:
        return digest_embeds.digest_pages(content)

    async def post_digest_page(self, channel_id: int, page: Any, nonce: str) -> DeliveryResult:
        """One message of a digest (its embeds), pinging no one, with its nonce."""
        embeds = [discord.Embed.from_dict(e) for e in page]
        return await self.send(channel_id, embeds=embeds, nonce=nonce)

    async def post_summary(self, channel_id: int, summary: Summary) -> int:
        """The upload API's door out: the summary's embed, in a channel, pinging no one."""
        result = await self.send(
            channel_id, embed=discord.Embed.from_dict(embed_dict(summary)), wait_ready=False
        )
        if result.kind != "sent" or result.message_id is None:
            raise PostFailed(result.reason)
        return result.message_id

    async def send(
        self,
        channel_id: int,
        *,
        embed: discord.Embed | None = None,
        embeds: list[discord.Embed] | None = None,
        content: str | None = None,
        nonce: str | None = None,
        wait_ready: bool = True,
        mentions: discord.AllowedMentions = NO_MENTIONS,
        ping_role: int | None = None,
    ) -> DeliveryResult:
        """Post; the one role `ping_role` (a feed post's mention) may be pinged, nobody
        else ever."""
        if wait_ready and not await self._ready():
            return DeliveryResult.retry(30, "not connected to Discord")
        try:
            channel = await self.channel(channel_id)
            if not isinstance(channel, discord.abc.Messageable):
                return DeliveryResult.gone(f"<#{channel_id}> is not a text channel")
            allowed = mentions
            if ping_role is not None:  # a feed post's role: its content is the ping alone
                content, allowed = role_ping(ping_role)
            kwargs: dict[str, object] = {"allowed_mentions": allowed}
            if embed is not None:
                kwargs["embed"] = embed
            if embeds is not None:
                kwargs["embeds"] = embeds
            if nonce is not None:
                kwargs["nonce"] = nonce
            message = await channel.send(content, **kwargs)  # type: ignore[call-overload]
        except threads.ERRORS as exc:
            failed = threads.failure(exc, channel_id)
            if failed.kind == "gone":  # fetch it again next time: it may be back
                self._channels.pop(channel_id, None)
            return failed
        return DeliveryResult.sent(message.id)


def _first_writable(guild: discord.Guild) -> discord.TextChannel | None:
    me = guild.me
    for channel in guild.text_channels:
        if me is None or channel.permissions_for(me).send_messages:
            return channel
    return None
