"""`/digest add|list|remove|preview`: one scheduled digest of the period's stories, in a
channel, instead of (or on top of) one post per item. The work is the feeds package's
(bot/feeds/digests.py); the messages are bot/discord_adapter/digest_embeds.py's."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands

from bot import escape
from bot.discord_adapter.digest_embeds import digest_pages
from bot.discord_adapter.sink import NO_MENTIONS
from bot.errors import PrecisError
from bot.feeds.digest_store import Digest
from bot.feeds.digests import (
    DEFAULT_MAX_ITEMS,
    DIGEST_SENTENCES_MAX,
    MAX_ITEMS_LIMIT,
    DigestRequest,
)
from bot.feeds.schedule import FORMS
from bot.feeds.schema import utcnow

if TYPE_CHECKING:
    from bot.discord_adapter.client import PrecisBot

log = logging.getLogger("precis.cogs.digest")

Mode = Literal["digest only", "on top"]
PREVIEW_MESSAGES = 3  # a preview shows at most this many messages of the digest


def digest_line(d: Digest, now: dt.datetime) -> str:
    feeds = "all feeds" if d.feed_ids is None else f"{len(d.feed_ids)} feed(s)"
    mode = "digest only" if d.only else "on top of the posts"
    try:
        nxt = f", next <t:{int(d.schedule.next_after(now).timestamp())}:f>"
    except Exception:  # a zone this machine lost since: listed all the same
        nxt = ""
    return (
        f"`#{d.id}` <#{d.channel_id}>: **{d.schedule.text}** ({d.schedule.timezone}), "
        f"{feeds}, up to {d.max_items} stories, {mode}{nxt}"
    )


@app_commands.guild_only()
@app_commands.default_permissions(manage_channels=True)
class DigestCommands(app_commands.Group, name="digest", description="Scheduled digests"):
    def __init__(self, bot: PrecisBot) -> None:
        super().__init__()
        self.bot = bot

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.permissions.manage_channels:
            return True
        await interaction.response.send_message(
            "You need the **Manage Channels** permission to manage digests.", ephemeral=True
        )
        return False

    async def digest_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        found = await self.bot.feeds.digests.list(interaction.guild_id or 0)
        current = current.casefold()
        names = [(d.id, f"#{d.id} {d.schedule.text} ({d.schedule.timezone})") for d in found]
        return [app_commands.Choice(name=n[:100], value=i)
                for i, n in names if current in n.casefold()][:25]  # fmt: skip

    @app_commands.command(name="add", description="Post a digest of the period's stories")
    @app_commands.describe(
        channel="Where the digest is posted",
        schedule="daily 08:00 | weekdays 17:30 | weekly mon 09:00 | every 6h",
        timezone="An IANA time zone, e.g. Europe/Paris, America/New_York, UTC",
        feeds="all (default), or feeds by number or title, separated by commas",
        max_items=f"Stories in one digest (1-{MAX_ITEMS_LIMIT}, default {DEFAULT_MAX_ITEMS})",
        sentences=f"Summary sentences per story (1-{DIGEST_SENTENCES_MAX}, default 1)",
        mode="digest only: the channel's posts of these feeds are replaced by the digest",
    )
    async def add(
        self, interaction: discord.Interaction, channel: discord.TextChannel, schedule: str,
        timezone: str, feeds: str | None = None, max_items: int = DEFAULT_MAX_ITEMS,
        sentences: int = 1, mode: Mode = "on top",
    ) -> None:  # fmt: skip
        assert interaction.guild_id is not None
        me = channel.guild.me
        try:
            if me is not None and not channel.permissions_for(me).send_messages:
                raise PrecisError(f"I can't post in <#{channel.id}>: give me *Send Messages*.")
            digest = await self.bot.feeds.digests.add(DigestRequest(
                guild_id=interaction.guild_id, channel_id=channel.id, schedule=schedule,
                timezone=timezone, feeds=feeds, max_items=max_items, sentences=sentences,
                only=mode == "digest only", created_by=interaction.user.id,
            ))  # fmt: skip
        except PrecisError as exc:
            log.info("digest add refused: %s", exc)
            await interaction.response.send_message(
                escape.message(f"I can't add that digest: {exc}"),
                ephemeral=True, allowed_mentions=NO_MENTIONS,
            )  # fmt: skip
            return
        only = ""
        if digest.only:
            subs = await self.bot.feeds.list_subscriptions(channel_id=channel.id)
            covered = [s for s in subs if digest.feed_ids is None or s.feed_id in digest.feed_ids]
            only = (" Its feeds' items are no longer posted one by one in that channel."
                    if covered else " (Digest only replaces the posts of the feeds followed in "
                    "that channel itself: none is yet.)")  # fmt: skip
        await interaction.response.send_message(
            f"Digest `#{digest.id}` added. {digest_line(digest, utcnow())}.{only}",
            allowed_mentions=NO_MENTIONS,
        )

    @app_commands.command(name="list", description="This server's digests")
    async def list_digests(self, interaction: discord.Interaction) -> None:
        found = await self.bot.feeds.digests.list(interaction.guild_id or 0)
        now = utcnow()
        text = "\n".join(digest_line(d, now) for d in found) or (
            f"No digest yet: try `/digest add` with a schedule like {FORMS}."
        )
        await interaction.response.send_message(
            escape.cut(text, escape.MESSAGE_LIMIT), ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    @app_commands.command(name="remove", description="Stop a digest")
    @app_commands.autocomplete(digest=digest_autocomplete)
    async def remove(self, interaction: discord.Interaction, digest: int) -> None:
        gone = await self.bot.feeds.digests.remove(digest, interaction.guild_id or 0)
        if gone is None:
            await interaction.response.send_message(
                f"There is no digest `#{digest}` in this server (see `/digest list`).",
                ephemeral=True,
            )
            return
        await interaction.response.send_message(
            f"Digest `#{gone.id}` ({gone.schedule.text} in <#{gone.channel_id}>) removed.",
            allowed_mentions=NO_MENTIONS,
        )

    @app_commands.command(name="preview", description="What the next digest would be now")
    @app_commands.autocomplete(digest=digest_autocomplete)
    async def preview(self, interaction: discord.Interaction, digest: int) -> None:
        await interaction.response.defer(thinking=True, ephemeral=True)
        try:
            _, content = await self.bot.feeds.digests.preview(digest, interaction.guild_id or 0)
        except PrecisError as exc:
            await interaction.followup.send(
                escape.message(str(exc)), ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return
        pages = digest_pages(content)
        if not pages:
            await interaction.followup.send(
                "Nothing yet: no new item since the last digest.", ephemeral=True
            )
            return
        for page in pages[:PREVIEW_MESSAGES]:
            await interaction.followup.send(
                embeds=[discord.Embed.from_dict(e) for e in page],
                ephemeral=True, allowed_mentions=NO_MENTIONS,
            )  # fmt: skip
        if len(pages) > PREVIEW_MESSAGES:
            await interaction.followup.send(
                f"… and {len(pages) - PREVIEW_MESSAGES} more message(s).", ephemeral=True
            )


async def setup(bot: PrecisBot) -> None:
    bot.tree.add_command(DigestCommands(bot))
