"""`/watch add|list|remove`: follow a person, place or organization across every feed the
server follows; the matching is the engine's (`bot.nlp.watch_match`), the firing the
deliverer's (`bot.feeds.watches`)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands

from bot import escape
from bot.discord_adapter.mentions import role_refusal
from bot.discord_adapter.sink import NO_MENTIONS
from bot.errors import InputError
from bot.feeds.schema import utcnow
from bot.feeds.watches import Watch
from bot.nlp.watch_match import MAX_NAME

if TYPE_CHECKING:
    from bot.discord_adapter.client import PrecisBot

log = logging.getLogger("precis.cogs.watch")

Kind = Literal["person", "place", "organization"]


def clean_name(text: str) -> str:
    """The watched name as typed, on one line; InputError when it cannot be a name."""
    name = " ".join(text.split())
    if not any(ch.isalpha() for ch in name):
        raise InputError("Give the name of a person, place or organization, like `Macron`.")
    if len(name) > MAX_NAME:
        raise InputError(f"A name has at most {MAX_NAME} characters.")
    return name


def watch_line(w: Watch) -> str:
    kind = f" ({w.kind})" if w.kind else ""
    role = f", pinging <@&{w.role_id}>" if w.role_id else ""
    return f"`#{w.id}` **{escape.discord_inline(w.name, 100)}**{kind} → <#{w.channel_id}>{role}"


def channel_problem(channel: discord.TextChannel) -> str | None:
    """Why the notices could not be posted in `channel` (None: they can)."""
    me = channel.guild.me
    if me is not None and not channel.permissions_for(me).send_messages:
        return f"I can't post in <#{channel.id}>: give me *Send Messages* there."
    return None


def role_problem(role: discord.Role, channel: discord.abc.GuildChannel) -> str | None:
    """Why the watch may not ping this role in `channel` (None: it may)."""
    me = channel.guild.me
    everyone = me is not None and channel.permissions_for(me).mention_everyone
    return role_refusal(role, can_mention_everyone=everyone)


@app_commands.guild_only()
@app_commands.default_permissions(manage_channels=True)
class WatchCommands(app_commands.Group, name="watch", description="Watch people, places, orgs"):
    def __init__(self, bot: PrecisBot) -> None:
        super().__init__()
        self.bot = bot

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.permissions.manage_channels:
            return True
        await interaction.response.send_message(
            "You need the **Manage Channels** permission to manage watches.", ephemeral=True
        )
        return False

    async def watch_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        found = await self.bot.store.list_watches(interaction.guild_id or 0)
        current = current.casefold()
        return [
            app_commands.Choice(name=f"#{w.id} {w.name}"[:100], value=w.id)
            for w in found
            if current in f"#{w.id} {w.name}".casefold()
        ][:25]

    @app_commands.command(name="add", description="Tell a channel when a feed post names someone")
    @app_commands.describe(
        entity="A person, place or organization, e.g. Macron, Paris, NATO",
        channel="Where the notices go",
        role="The role to ping with each notice (none: no ping)",
        kind="Only entities of this kind (e.g. Paris the place, not Paris Hilton)",
    )
    async def add(
        self, interaction: discord.Interaction, entity: str, channel: discord.TextChannel,
        role: discord.Role | None = None, kind: Kind | None = None,
    ) -> None:  # fmt: skip
        assert interaction.guild_id is not None
        try:
            name = clean_name(entity)
            problem = channel_problem(channel)
            if problem is None and role is not None:
                problem = role_problem(role, channel)
            if problem:
                raise InputError(problem)
            watch = await self.bot.store.add_watch(
                guild_id=interaction.guild_id, channel_id=channel.id, name=name, kind=kind,
                role_id=role.id if role else None, created_by=interaction.user.id, now=utcnow(),
            )  # fmt: skip
        except InputError as exc:
            await interaction.response.send_message(
                f"I can't add that watch: {exc}", ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return
        ping = f", pinging {role.mention}" if role else ""
        what = f"the {kind} " if kind else ""
        await interaction.response.send_message(
            f"Watching {what}**{escape.discord_inline(name, 100)}** in every feed of this "
            f"server as `#{watch.id}`: posts naming it are announced in <#{channel.id}>{ping}.",
            allowed_mentions=NO_MENTIONS,
        )

    @app_commands.command(name="list", description="This server's watches")
    async def list_watches(self, interaction: discord.Interaction) -> None:
        found = await self.bot.store.list_watches(interaction.guild_id or 0)
        text = "\n".join(watch_line(w) for w in found) or "No watches yet: try `/watch add`."
        await interaction.response.send_message(
            escape.cut(text, escape.MESSAGE_LIMIT), ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    @app_commands.command(name="remove", description="Stop a watch")
    @app_commands.autocomplete(watch=watch_autocomplete)
    async def remove(self, interaction: discord.Interaction, watch: int) -> None:
        gone = await self.bot.store.remove_watch(watch, guild_id=interaction.guild_id or 0)
        if gone is None:
            await interaction.response.send_message(
                f"There is no watch `#{watch}` in this server (see `/watch list`).",
                ephemeral=True,
            )
            return
        await interaction.response.send_message(
            f"Stopped watching **{escape.discord_inline(gone.name, 100)}** (`#{gone.id}`).",
            allowed_mentions=NO_MENTIONS,
        )


async def setup(bot: PrecisBot) -> None:
    bot.tree.add_command(WatchCommands(bot))
