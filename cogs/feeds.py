"""`/feed add|list|remove|pause|resume|test|log|filter|mention|group|import|export`: thin
commands over the feeds package's one door (`bot.feeds.service.FeedService`); what is
posted, and how, is the adapter's (`bot.discord_adapter`)."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot import escape
from bot.discord_adapter.embeds import embed_dict
from bot.discord_adapter.fate_log import log_description, log_title
from bot.discord_adapter.mentions import role_refusal
from bot.discord_adapter.notices import (
    already_subscribed_text,
    import_report_text,
    subscription_line,
)
from bot.discord_adapter.placement import placement, placement_text
from bot.discord_adapter.sink import NO_MENTIONS
from bot.errors import PrecisError
from bot.feeds.filters import MAX_EXPRESSION
from bot.feeds.opml import MAX_IMPORT_FEEDS, MAX_OPML_BYTES, build_opml, import_feeds, parse_opml
from bot.feeds.rows import AlreadySubscribed, Subscription
from bot.feeds.schema import FILTERED
from bot.feeds.service import FilterTrial
from bot.options import SENTENCES_MAX, SENTENCES_MIN, resolve_sentences

if TYPE_CHECKING:
    from bot.discord_adapter.client import PrecisBot

log = logging.getLogger("precis.cogs.feeds")


def _keywords(text: str | None) -> tuple[str, ...]:
    return tuple(word.strip() for word in (text or "").split(",") if word.strip())


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
        subs = await self.bot.feeds.list_subscriptions(guild_id=interaction.guild_id)
        current = current.lower()
        return [
            app_commands.Choice(name=f"#{s.id} {s.feed_title}"[:100], value=s.id)
            for s in subs
            if current in f"#{s.id} {s.feed_title}".lower()
        ][:25]

    async def tag_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        chosen = getattr(interaction.namespace, "channel", None)
        forum = self.bot.get_channel(chosen.id) if chosen is not None else None
        if not isinstance(forum, discord.ForumChannel):
            return []
        current = current.casefold()
        return [
            app_commands.Choice(name=t.name, value=t.name)
            for t in forum.available_tags
            if current in t.name.casefold()
        ][:25]

    @app_commands.command(name="add", description="Post a summary of every new item of a feed")
    @app_commands.autocomplete(tag=tag_autocomplete)
    @app_commands.describe(
        url="The feed, or a site that links to its feed",
        channel="Where to post: a text channel or a forum (default: this channel)",
        thread="Start a thread on each post for its discussion (text channels)",
        tag="Forum channels: the tag every post gets (one of the forum's tags)",
        sentences=f"Sentences per summary ({SENTENCES_MIN}-{SENTENCES_MAX}; default: the "
        "server's, as set when each item is posted)",
        include="Only items mentioning one of these words (comma-separated)",
        exclude="Skip items mentioning any of these words (comma-separated)",
        backlog="Also post the items already in the feed (default: only the newest)",
        group="Add a report of a story this channel already got to that post (default: on)",
    )
    async def add(
        self,
        interaction: discord.Interaction,
        url: str,
        channel: discord.TextChannel | discord.ForumChannel | None = None,
        thread: bool = False,
        tag: str | None = None,
        sentences: app_commands.Range[int, SENTENCES_MIN, SENTENCES_MAX] | None = None,
        include: str | None = None,
        exclude: str | None = None,
        backlog: bool = False,
        group: bool = True,
    ) -> None:
        target = channel.id if channel else interaction.channel_id
        assert interaction.guild_id is not None and target is not None
        try:
            where = placement(channel or interaction.channel, thread=thread, tag=tag)
            where = dataclasses.replace(where, group_stories=group)
        except PrecisError as exc:
            log.info("feed add refused in %s: %s", target, exc)
            # The message quotes only escaped names (bot.discord_adapter.placement), and
            # keeps its channel link (escape.message would defuse it).
            await interaction.response.send_message(
                f"I can't follow that feed there: {exc}", ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )  # fmt: skip
            return
        await interaction.response.defer(thinking=True)
        try:
            sub, title, count = await self.bot.feeds.add_subscription(
                url.strip().strip("<>"),
                interaction.guild_id,
                target,
                sentences=sentences,  # None: follow the server's default when posting
                include=_keywords(include),
                exclude=_keywords(exclude),
                backlog=backlog,
                created_by=interaction.user.id,
                placement=where,
            )
        except AlreadySubscribed as exc:
            await interaction.followup.send(
                f"I can't follow that feed: {already_subscribed_text(exc)}",
                allowed_mentions=NO_MENTIONS,
            )
            return
        except PrecisError as exc:
            await interaction.followup.send(
                escape.message(f"I can't follow that feed: {exc}"), allowed_mentions=NO_MENTIONS
            )
            return
        posting = "its newest items" if backlog else "its newest item now, then every new one"
        how = placement_text(where.mode, where.tag_name)
        await interaction.followup.send(
            f"Following **{escape.discord_inline(title)}** ({count} items) in "
            f"<#{target}> as `#{sub.id}`: I'll post {posting}" + (f", {how}." if how else "."),
            allowed_mentions=NO_MENTIONS,
        )

    @app_commands.command(name="list", description="Feeds followed in this server or a channel")
    @app_commands.describe(channel="Only this channel")
    async def list_feeds(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel | discord.ForumChannel | None = None,
    ) -> None:
        guild_id = interaction.guild_id
        assert guild_id is not None
        subs = await self.bot.feeds.list_subscriptions(
            guild_id=guild_id, channel_id=channel.id if channel else None
        )
        if not subs:
            await interaction.response.send_message("No feeds are followed here yet: "
                                                    "try `/feed add`.", ephemeral=True)  # fmt: skip
            return
        store = self.bot.store
        server = await store.get_server_settings(guild_id)
        skipped = await store.skipped_counts(guild_id)
        filtered = await store.skipped_counts(guild_id, FILTERED)
        default = resolve_sentences(server=server.sentences,
                                    default=self.bot.settings.default_sentences)  # fmt: skip
        lines: list[str] = []
        used = 0
        for sub in subs:
            line = subscription_line(
                sub, default_sentences=default, skipped=skipped.get(sub.id, 0),
                filtered=filtered.get(sub.id, 0),
            )  # fmt: skip
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
        feeds = self.bot.feeds
        sub = await feeds.get_subscription(sub_id, guild_id=interaction.guild_id)
        if sub is None:
            await interaction.response.send_message(
                f"There is no feed `#{sub_id}` in this server (see `/feed list`).", ephemeral=True
            )
            return
        if action == "remove":
            await feeds.remove_subscription(sub_id, guild_id=interaction.guild_id)
        elif action == "pause":
            await feeds.pause_subscription(
                sub_id, guild_id=interaction.guild_id, reason="paused with /feed pause"
            )
        else:
            await feeds.resume_subscription(sub_id, guild_id=interaction.guild_id)
        await interaction.response.send_message(
            f"{done} **{escape.discord_inline(sub.feed_title)}** in <#{sub.channel_id}>.",
            allowed_mentions=NO_MENTIONS,
        )

    @app_commands.command(name="test", description="Preview the summary of a feed's latest item")
    @app_commands.autocomplete(subscription=subscription_autocomplete)
    async def test(self, interaction: discord.Interaction, subscription: int) -> None:
        await interaction.response.defer(thinking=True, ephemeral=True)
        try:
            item, summary = await self.bot.feeds.preview(
                subscription, guild_id=interaction.guild_id
            )
        except PrecisError as exc:
            await interaction.followup.send(
                escape.message(str(exc)), ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return
        sub = await self.bot.feeds.get_subscription(subscription, guild_id=interaction.guild_id)
        server = await self.bot.store.get_server_settings(interaction.guild_id)
        embed = embed_dict(summary, feed_name=sub.feed_title if sub else None, server=server)
        await interaction.followup.send(
            f"Preview of the latest item, {item.title or 'untitled'}:",
            embed=discord.Embed.from_dict(embed),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    @app_commands.command(name="log", description="The last 25 items: posted or not, and why")
    @app_commands.autocomplete(subscription=subscription_autocomplete)
    async def log(self, interaction: discord.Interaction, subscription: int) -> None:
        sub = await self.bot.feeds.get_subscription(subscription, guild_id=interaction.guild_id)
        if sub is None:
            await interaction.response.send_message(
                f"There is no feed `#{subscription}` in this server (see `/feed list`).",
                ephemeral=True,
            )
            return
        fates = await self.bot.store.fate_log(sub.id)
        if not fates:
            await interaction.response.send_message(
                f"Nothing recorded for `#{sub.id}` yet: items appear here as the feed is "
                "polled (kept 30 days).", ephemeral=True,
            )  # fmt: skip
            return
        embed = discord.Embed(
            title=log_title(sub.feed_title, len(fates)), description=log_description(fates)
        )
        embed.set_footer(text=f"#{sub.id} · newest first · kept 30 days")
        await interaction.response.send_message(
            embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    @app_commands.command(name="filter", description="Post only the items matching an expression")
    @app_commands.autocomplete(subscription=subscription_autocomplete)
    @app_commands.describe(
        expression='e.g. person:"Ilhan Omar" or (title matches "\\bNATO\\b" and not '
        "category:sport); empty: post every item (see /precis help)",
    )
    async def filter(
        self, interaction: discord.Interaction, subscription: int,
        expression: app_commands.Range[str, 0, MAX_EXPRESSION] = "",
    ) -> None:  # fmt: skip
        assert interaction.guild_id is not None
        await interaction.response.defer(thinking=True, ephemeral=True)
        try:
            sub, trial = await self.bot.feeds.set_filter(
                subscription, interaction.guild_id, expression
            )
        except PrecisError as exc:
            await self._private(interaction, f"That filter can't be used: {exc}")
            return
        title = escape.discord_inline(sub.feed_title)
        if trial is None:
            text = f"**{title}** in <#{sub.channel_id}> has no filter now: every item is posted."
        else:
            shown = escape.discord_inline(sub.filter or "", 400)
            text = (f"**{title}** in <#{sub.channel_id}> now posts only the items matching "
                    f"{shown}: it {trial_text(trial)}.")  # fmt: skip
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="mention", description="Ping a role when an item is posted")
    @app_commands.autocomplete(subscription=subscription_autocomplete)
    @app_commands.describe(
        role="The role to ping (leave out to stop pinging)",
        when="Only for the items matching this expression (default: every item)",
    )
    async def mention(
        self, interaction: discord.Interaction, subscription: int,
        role: discord.Role | None = None,
        when: app_commands.Range[str, 0, MAX_EXPRESSION] | None = None,
    ) -> None:  # fmt: skip
        assert interaction.guild_id is not None
        refusal = _mention_refusal(interaction, role)
        if refusal is not None:
            await interaction.response.send_message(
                refusal, ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return
        await interaction.response.defer(thinking=True, ephemeral=True)
        try:
            sub, trial = await self.bot.feeds.set_mention(
                subscription, interaction.guild_id, role.id if role else None, when
            )
        except PrecisError as exc:
            await self._private(interaction, f"That mention can't be set: {exc}")
            return
        where = f"**{escape.discord_inline(sub.feed_title)}** in <#{sub.channel_id}>"
        if role is None:
            text = f"{where} pings nobody now."
        elif trial is None:
            text = f"{where} now pings <@&{role.id}> with every item it posts."
        else:
            shown = escape.discord_inline(sub.mention_when or "", 400)
            text = (f"{where} now pings <@&{role.id}> with the items matching {shown}: "
                    f"that {trial_text(trial)}.")  # fmt: skip
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="group", description="Add reports of one story to its first post")
    @app_commands.autocomplete(subscription=subscription_autocomplete)
    @app_commands.describe(enabled="On: a report of a story the channel already got is added to "
                           "that post; off: every item is posted")  # fmt: skip
    async def group(
        self, interaction: discord.Interaction, subscription: int, enabled: bool
    ) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(thinking=True, ephemeral=True)
        try:
            sub = await self.bot.feeds.set_grouping(subscription, interaction.guild_id, enabled)
        except PrecisError as exc:
            await self._private(interaction, str(exc))
            return
        title = escape.discord_inline(sub.feed_title)
        how = ("adds each report of a story the channel already got to that post"
               if sub.group_stories else "posts every item, even one of a story already posted")
        await interaction.followup.send(
            f"**{title}** in <#{sub.channel_id}> now {how}.", ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )  # fmt: skip

    @app_commands.command(name="import", description="Follow every feed of an OPML file")
    @app_commands.describe(
        file=f"An .opml file (at most {MAX_OPML_BYTES // 1048576} MB, {MAX_IMPORT_FEEDS} new "
        "feeds per import)",
        channel="Where to post the feeds' items",
    )
    async def import_opml(
        self, interaction: discord.Interaction, file: discord.Attachment,
        channel: discord.TextChannel,
    ) -> None:  # fmt: skip
        assert interaction.guild_id is not None
        if file.size > MAX_OPML_BYTES:  # refused before downloading anything
            await interaction.response.send_message(
                escape.message(
                    f"`{file.filename}` is {file.size / 1048576:.1f} MB; an OPML file may be "
                    f"at most {MAX_OPML_BYTES // 1048576} MB. Nothing was imported."
                ), ephemeral=True, allowed_mentions=NO_MENTIONS,
            )  # fmt: skip
            return
        await interaction.response.defer(thinking=True, ephemeral=True)
        try:
            data = await file.read()
            feeds = await asyncio.to_thread(parse_opml, data)
        except discord.HTTPException:
            await self._private(interaction, f"I couldn't download `{file.filename}` from "
                                "Discord. Nothing was imported.")  # fmt: skip
            return
        except PrecisError as exc:
            await self._private(interaction, f"{exc} Nothing was imported.")
            return
        report = await import_feeds(
            self.bot.feeds, feeds, interaction.guild_id, channel.id,
            created_by=interaction.user.id,
        )  # fmt: skip
        log.info("OPML import into %s: %d added, %d already, %d failed, %d over the cap",
                 channel.id, len(report.added), len(report.already), len(report.failed),
                 len(report.over_cap))  # fmt: skip
        await interaction.followup.send(
            import_report_text(report, channel.id, MAX_IMPORT_FEEDS),
            ephemeral=True, allowed_mentions=NO_MENTIONS,
        )  # fmt: skip

    @app_commands.command(name="export", description="This server's feeds as an OPML file")
    async def export_opml(self, interaction: discord.Interaction) -> None:
        subs = await self.bot.feeds.list_subscriptions(guild_id=interaction.guild_id)
        if not subs:
            await interaction.response.send_message(
                "No feeds are followed here yet: nothing to export.", ephemeral=True
            )
            return
        guild = interaction.guild
        name = guild.name if guild else "a server"
        data = build_opml(_by_channel(subs, guild), f"Précis feeds of {name}")
        await interaction.response.send_message(
            f"{len(subs)} feeds in {len({s.channel_id for s in subs})} channels, as OPML "
            "(`/feed import` reads it back):",
            file=discord.File(io.BytesIO(data), filename="precis-feeds.opml"),
            ephemeral=True, allowed_mentions=NO_MENTIONS,
        )  # fmt: skip

    async def _private(self, interaction: discord.Interaction, text: str) -> None:
        await interaction.followup.send(
            escape.message(text), ephemeral=True, allowed_mentions=NO_MENTIONS
        )


def trial_text(trial: FilterTrial) -> str:
    """ "matches 3 of the last 20 items" (and how many could not be decided)."""
    if trial.total == 0:
        return "can't be tried yet: the feed has no items recorded"
    text = f"matches {trial.matched} of the last {trial.total} items"
    if trial.undecided:
        text += f" ({trial.undecided} could not be decided before being summarized)"
    return text


def _mention_refusal(interaction: discord.Interaction, role: discord.Role | None) -> str | None:
    """Why this role cannot be pinged by the bot (None: it can, or no role)."""
    if role is None:
        return None
    me = interaction.guild.me if interaction.guild else None
    everyone = me is not None and me.guild_permissions.mention_everyone
    return role_refusal(role, can_mention_everyone=everyone)


def _by_channel(
    subs: list[Subscription], guild: discord.Guild | None
) -> list[tuple[str, list[tuple[str, str]]]]:
    """Feeds grouped by channel, named "#channel" (the channel's id when unknown)."""
    groups: dict[int, list[tuple[str, str]]] = {}
    for sub in subs:
        groups.setdefault(sub.channel_id, []).append((sub.feed_title, sub.feed_url))
    named = []
    for channel_id, feeds in groups.items():
        channel = guild.get_channel(channel_id) if guild else None
        named.append((f"#{channel.name}" if channel else f"#{channel_id}", feeds))
    return named


async def setup(bot: PrecisBot) -> None:
    bot.tree.add_command(FeedCommands(bot))
