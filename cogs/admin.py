"""`/precis about`, `/precis help` and `/precis settings` (the server's defaults)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot import __version__, escape
from bot.discord_adapter.sink import NO_MENTIONS
from bot.nlp.language import snowball_name
from bot.options import SENTENCES_MAX, SENTENCES_MIN, SENTENCES_RANGE
from bot.server_settings import ServerDefaults, color_text, parse_color, parse_languages

if TYPE_CHECKING:
    from bot.discord_adapter.client import PrecisBot

HELP = f"""\
**Précis** posts short, faithful summaries: sentences copied from the article, its key \
names, and its source.

• `/summarize url:<link>` — or `file:` (txt, md, html, pdf) or `text:` (pasted); \
options `sentences:` ({SENTENCES_RANGE}) and `private:` (only you see the answer).
• Right-click a message → **Apps → Summarize** to summarize its link, file or text.
• `/feed add url:<feed or site> channel:<#channel>` (Manage Channels) posts a \
summary of every new item; options `thread:True` (a thread on each post), `tag:` \
(in a forum channel: the tag of each item's post), \
`sentences:`, `include:` / `exclude:` keywords, `backlog:`. A report of a story the \
channel just got is added to that post ("Also covered by"); `group:False` or \
`/feed group` turns that off.
• `/feed list` (channel, forum or thread, tag, status), `/feed remove`, `/feed pause`, \
`/feed resume`, `/feed test`, `/feed log` (the last 25 items and why).
• `/watch add entity:<name> channel:<#channel>` (Manage Channels; options `role:` to \
ping, `kind:`) tells the channel when any feed of the server posts an item naming it \
(`Macron` fires for Emmanuel Macron); `/watch list`, `/watch remove`.
• `/feed filter subscription:<#id> expression:<…>` posts only matching items, e.g. \
`person:"Ilhan Omar" or (title matches "\\bNATO\\b" and not category:sport)` \
(fields, operators: README).
• `/feed mention subscription:<#id> role:<@role> when:<expression>` pings the role with \
each post (matching `when`); without `role:` it stops.
• `/digest add channel: schedule:<daily 08:00|weekdays 17:30|weekly mon 09:00|every 6h> \
timezone:` posts its stories; `/digest list|remove|preview`.
• `/feed import file:<.opml> channel:<#channel>` follows an OPML file's feeds, \
`/feed export` gives this server's feeds as OPML (Manage Channels).
• `/precis settings` — this server's defaults: `sentences:`, `entities:`, `color:` \
(like #1f8b4c), `languages:` feed posts may be in (like `en, fr`) (Manage Server).
• `/precis about` — version, algorithm, languages, uptime."""


def _uptime(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h {minutes}m" if days else f"{hours}h {minutes}m {secs}s"


class AdminCog(commands.Cog):
    precis = app_commands.Group(name="precis", description="About Précis, and its settings")

    def __init__(self, bot: PrecisBot) -> None:
        self.bot = bot

    @precis.command(name="about", description="Version, algorithm, languages and uptime")
    async def about(self, interaction: discord.Interaction) -> None:
        service = self.bot.service
        stemmed = sorted(code for code in _COMMON if snowball_name(code))
        embed = discord.Embed(title="Précis", description="Faithful extractive news summaries.")
        embed.add_field(name="Version", value=__version__)
        embed.add_field(name="Algorithm", value=self.bot.settings.algorithm)
        embed.add_field(name="Uptime", value=_uptime(time.time() - service.started))
        embed.add_field(
            name="Languages",
            value="Any language; stemming and stop words for " + ", ".join(stemmed),
            inline=False,
        )
        embed.add_field(name="Summaries made", value=str(service.made))
        if self.bot.invite_url:
            link = f"[Add Précis to a server]({self.bot.invite_url})"
            embed.add_field(name="Invite", value=link, inline=False)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @precis.command(name="help", description="How to use Précis")
    async def help(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(HELP, ephemeral=True)

    @precis.command(name="settings", description="Show or change this server's defaults")
    @app_commands.describe(
        sentences=f"Sentences per summary ({SENTENCES_RANGE})",
        entities="Show the key people, places and organizations",
        color="Embed colour, like #1f8b4c (default: back to Précis blue)",
        languages="Languages feed posts may be in: ISO 639-1 codes like en, fr (any: all)",
    )
    async def settings(
        self,
        interaction: discord.Interaction,
        sentences: app_commands.Range[int, SENTENCES_MIN, SENTENCES_MAX] | None = None,
        entities: bool | None = None,
        color: str | None = None,
        languages: str | None = None,
    ) -> None:
        guild_id = interaction.guild_id
        if guild_id is None:
            await _private(interaction, "Settings belong to a server: use this in one.")
            return
        if not interaction.permissions.manage_guild:
            await _private(
                interaction, "You need the **Manage Server** permission to see or change "
                "this server's settings.",
            )  # fmt: skip
            return
        changes: dict[str, object] = {}
        try:  # every value checked before anything is written
            if sentences is not None:
                changes["sentences"] = sentences
            if entities is not None:
                changes["entities"] = entities
            if color is not None:
                changes["color"] = parse_color(color)
            if languages is not None:
                changes["languages"] = parse_languages(languages)
        except ValueError as exc:
            await _private(interaction, escape.message(f"Nothing changed: {exc}"))
            return
        store = self.bot.store
        if changes:
            server = await store.set_server_settings(
                guild_id, changes, updated_by=interaction.user.id
            )
        else:
            server = await store.get_server_settings(guild_id)
        head = "Settings saved." if changes else "This server's settings:"
        await _private(interaction, head + "\n" + settings_text(server, self.bot))


def settings_text(server: ServerDefaults, bot: PrecisBot) -> str:
    """The server's settings, one per line, saying which are Précis' defaults."""
    default = bot.settings.default_sentences
    count = f"{default} (Précis default)" if server.sentences is None else str(server.sentences)
    colour = color_text(server.embed_color) + (" (default)" if server.color is None else "")
    langs = ", ".join(server.languages) if server.languages else "any"
    return (
        f"• Summary sentences: **{count}**\n"
        f"• Key entities: **{'shown' if server.show_entities else 'hidden'}**\n"
        f"• Embed colour: **{colour}**\n"
        f"• Feed post languages: **{langs}**"
        + (" (items in other languages are skipped, see `/feed list`)" if server.languages
           else "")
        + "\nChange one with `/precis settings`: `color:default` and `languages:any` reset."
    )  # fmt: skip


async def _private(interaction: discord.Interaction, text: str) -> None:
    await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)


_COMMON = ("ar", "ca", "da", "de", "el", "en", "es", "fi", "fr", "hu", "id", "it", "nl",
           "no", "pl", "pt", "ro", "ru", "sv", "tr")  # fmt: skip


async def setup(bot: PrecisBot) -> None:
    await bot.add_cog(AdminCog(bot))
