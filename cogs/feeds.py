"""`/feed add|list|remove|pause|resume|test` and the Discord side of feed delivery.

The poller (bot/poller.py) decides what to post and when; `DiscordSink` only
posts, translating Discord's answers into sent / retry later / gone.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import aiohttp
import discord
from discord import app_commands

from bot.errors import PrecisError
from bot.models import Summary
from bot.poller import DeliveryResult
from bot.render import embed_dict
from bot.store import Delivery, Subscription

if TYPE_CHECKING:
    from bot.client import PrecisBot

log = logging.getLogger("precis.cogs.feeds")

NO_MENTIONS = discord.AllowedMentions.none()


class DiscordSink:
    """Posts feed items and notices; the nonce makes a repeated post a no-op on Discord."""

    def __init__(self, bot: PrecisBot) -> None:
        self.bot = bot

    async def deliver(self, delivery: Delivery, summary: Summary) -> DeliveryResult:
        log.debug("posting item %s of subscription %s in %s (nonce %s): %s",
                  delivery.item.key, delivery.subscription_id, delivery.channel_id,
                  delivery.nonce, summary.title)  # fmt: skip
        embed = discord.Embed.from_dict(embed_dict(summary, feed_name=delivery.feed_title))
        return await self._send(delivery.channel_id, embed=embed, nonce=delivery.nonce)

    async def notify(self, guild_id: int, channel_id: int, text: str) -> DeliveryResult:
        result = await self._send(channel_id, content=text)
        if result.kind != "gone":
            return result
        # The channel itself is gone or closed to us: tell the server where we still can.
        guild = self.bot.get_guild(guild_id)
        fallback = guild and (guild.system_channel or _first_writable(guild))
        if fallback is None or fallback.id == channel_id:
            return result
        return await self._send(fallback.id, content=text)

    async def _send(
        self,
        channel_id: int,
        *,
        embed: discord.Embed | None = None,
        content: str | None = None,
        nonce: str | None = None,
    ) -> DeliveryResult:
        if not self.bot.is_ready():
            try:  # e.g. just started: the first items are due before the gateway is ready
                await asyncio.wait_for(self.bot.wait_until_ready(), timeout=30)
            except TimeoutError:
                return DeliveryResult.retry(30, "not connected to Discord")
        try:
            channel = self.bot.get_channel(channel_id) or await self.bot.fetch_channel(channel_id)
            if not isinstance(channel, discord.abc.Messageable):
                return DeliveryResult.gone(f"<#{channel_id}> is not a text channel")
            kwargs: dict[str, object] = {"allowed_mentions": NO_MENTIONS}
            if embed is not None:
                kwargs["embed"] = embed
            if nonce is not None:
                kwargs["nonce"] = nonce
            message = await channel.send(content, **kwargs)  # type: ignore[call-overload]
        except discord.NotFound:
            return DeliveryResult.gone(f"the channel <#{channel_id}> no longer exists")
        except discord.Forbidden:
            return DeliveryResult.gone(f"I am not allowed to post in <#{channel_id}> any more")
        except discord.HTTPException as exc:
            retry_after = float(getattr(exc, "retry_after", 0) or 0)
            return DeliveryResult.retry(retry_after, f"Discord answered {exc.status}")
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            return DeliveryResult.retry(0, f"Discord unreachable ({type(exc).__name__})")
        return DeliveryResult.sent(message.id)


def _first_writable(guild: discord.Guild) -> discord.TextChannel | None:
    me = guild.me
    for channel in guild.text_channels:
        if me is None or channel.permissions_for(me).send_messages:
            return channel
    return None


def _keywords(text: str | None) -> tuple[str, ...]:
    return tuple(word.strip() for word in (text or "").split(",") if word.strip())


def _describe(sub: Subscription) -> str:
    keywords = ""
    if sub.include:
        keywords += f" · only: {', '.join(sub.include)}"
    if sub.exclude:
        keywords += f" · not: {', '.join(sub.exclude)}"
    return (
        f"`#{sub.id}` **{discord.utils.escape_markdown(sub.feed_title)}** → <#{sub.channel_id}>"
        f" · {sub.sentences} sentences{keywords} · {sub.describe_status()}"
    )


@app_commands.guild_only()
@app_commands.default_permissions(manage_channels=True)
class FeedCommands(app_commands.Group, name="feed", description="Follow RSS/Atom feeds"):
    def __init__(self, bot: PrecisBot) -> None:
        super().__init__()
        self.bot = bot

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        # Server admins can re-open the command to anyone; the permission still decides.
        if interaction.permissions.manage_channels:
            return True
        await interaction.response.send_message(
            "You need the **Manage Channels** permission to manage feeds.", ephemeral=True
        )
        return False

    async def subscription_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        subs = await self.bot.store.list_subscriptions(guild_id=interaction.guild_id)
        current = current.lower()
        return [
            app_commands.Choice(name=f"#{s.id} {s.feed_title}"[:100], value=s.id)
            for s in subs
            if current in f"#{s.id} {s.feed_title}".lower()
        ][:25]

    @app_commands.command(name="add", description="Post a summary of every new item of a feed")
    @app_commands.describe(
        url="The feed, or a site that links to its feed",
        channel="Where to post (default: this channel)",
        sentences="Sentences per summary (1-10)",
        include="Only items mentioning one of these words (comma-separated)",
        exclude="Skip items mentioning any of these words (comma-separated)",
        backlog="Also post the items already in the feed (default: only the newest)",
    )
    async def add(
        self,
        interaction: discord.Interaction,
        url: str,
        channel: discord.TextChannel | None = None,
        sentences: app_commands.Range[int, 1, 10] | None = None,
        include: str | None = None,
        exclude: str | None = None,
        backlog: bool = False,
    ) -> None:
        target = channel.id if channel else interaction.channel_id
        assert interaction.guild_id is not None and target is not None
        await interaction.response.defer(thinking=True)
        try:
            sub, title, count = await self.bot.poller.add_subscription(
                url.strip().strip("<>"),
                interaction.guild_id,
                target,
                sentences=sentences or self.bot.settings.default_sentences,
                include=_keywords(include),
                exclude=_keywords(exclude),
                backlog=backlog,
                created_by=interaction.user.id,
            )
        except PrecisError as exc:
            await interaction.followup.send(f"I can't follow that feed: {exc}")
            return
        posting = "its newest items" if backlog else "its newest item now, then every new one"
        await interaction.followup.send(
            f"Following **{discord.utils.escape_markdown(title)}** ({count} items) in "
            f"<#{target}> as `#{sub.id}`: I'll post {posting}.",
            allowed_mentions=NO_MENTIONS,
        )

    @app_commands.command(name="list", description="Feeds followed in this server or a channel")
    @app_commands.describe(channel="Only this channel")
    async def list_feeds(
        self, interaction: discord.Interaction, channel: discord.TextChannel | None = None
    ) -> None:
        subs = await self.bot.store.list_subscriptions(
            guild_id=interaction.guild_id, channel_id=channel.id if channel else None
        )
        if not subs:
            await interaction.response.send_message("No feeds are followed here yet: "
                                                    "try `/feed add`.", ephemeral=True)  # fmt: skip
            return
        lines: list[str] = []
        used = 0
        for sub in subs:
            line = _describe(sub)
            if used + len(line) > 1900:
                lines.append(f"… and {len(subs) - len(lines)} more")
                break
            lines.append(line)
            used += len(line) + 1
        await interaction.response.send_message("\n".join(lines), ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)  # fmt: skip

    @app_commands.command(name="remove", description="Stop following a feed")
    @app_commands.autocomplete(subscription=subscription_autocomplete)
    async def remove(self, interaction: discord.Interaction, subscription: int) -> None:
        await self._change(interaction, subscription, "remove", "No longer following")

    @app_commands.command(name="pause", description="Pause a feed (nothing is posted)")
    @app_commands.autocomplete(subscription=subscription_autocomplete)
    async def pause(self, interaction: discord.Interaction, subscription: int) -> None:
        await self._change(interaction, subscription, "pause", "Paused")

    @app_commands.command(name="resume", description="Resume a paused feed")
    @app_commands.autocomplete(subscription=subscription_autocomplete)
    async def resume(self, interaction: discord.Interaction, subscription: int) -> None:
        await self._change(interaction, subscription, "resume", "Resumed")

    async def _change(
        self, interaction: discord.Interaction, sub_id: int, action: str, done: str
    ) -> None:
        poller = self.bot.poller
        sub = await self.bot.store.get_subscription(sub_id, guild_id=interaction.guild_id)
        if sub is None:
            await interaction.response.send_message(
                f"There is no feed `#{sub_id}` in this server (see `/feed list`).", ephemeral=True
            )
            return
        change = {"remove": poller.remove_subscription, "pause": poller.pause_subscription,
                  "resume": poller.resume_subscription}[action]  # fmt: skip
        await change(sub_id, guild_id=interaction.guild_id)
        await interaction.response.send_message(
            f"{done} **{discord.utils.escape_markdown(sub.feed_title)}** in <#{sub.channel_id}>.",
            allowed_mentions=NO_MENTIONS,
        )

    @app_commands.command(name="test", description="Preview the summary of a feed's latest item")
    @app_commands.autocomplete(subscription=subscription_autocomplete)
    async def test(self, interaction: discord.Interaction, subscription: int) -> None:
        await interaction.response.defer(thinking=True, ephemeral=True)
        try:
            item, summary = await self.bot.poller.preview(
                subscription, guild_id=interaction.guild_id
            )
        except PrecisError as exc:
            await interaction.followup.send(str(exc), ephemeral=True)
            return
        sub = await self.bot.store.get_subscription(subscription, guild_id=interaction.guild_id)
        embed = embed_dict(summary, feed_name=sub.feed_title if sub else None)
        await interaction.followup.send(
            f"Preview of the latest item, {item.title or 'untitled'}:",
            embed=discord.Embed.from_dict(embed),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )


async def setup(bot: PrecisBot) -> None:
    bot.tree.add_command(FeedCommands(bot))
