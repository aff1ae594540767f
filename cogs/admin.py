"""`/precis about` and `/precis help`."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot import __version__
from bot.nlp.language import snowball_name
from bot.options import SENTENCES_RANGE

if TYPE_CHECKING:
    from bot.discord_adapter.client import PrecisBot

HELP = f"""\
**Précis** posts short, faithful summaries: sentences copied from the article, its key \
people, places and organizations, and where it came from.

• `/summarize url:<link>` — or `file:` (txt, md, html, pdf) or `text:` (pasted); \
options `sentences:` ({SENTENCES_RANGE}) and `private:` (only you see the answer).
• Right-click a message → **Apps → Summarize** to summarize its link, file or text.
• `/feed add url:<feed or site> channel:<#channel>` (needs Manage Channels) posts a \
summary of every new item; options `thread:True` (a thread on each post, in a text \
channel), `tag:` (in a forum channel, where each item becomes a post: the tag it gets), \
`sentences:`, `include:` / `exclude:` keywords, `backlog:`.
• `/feed list` (channel, forum or thread, tag, status), `/feed remove`, `/feed pause`, \
`/feed resume`, `/feed test`.
• `/precis about` — version, algorithm, languages, uptime."""


def _uptime(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h {minutes}m" if days else f"{hours}h {minutes}m {secs}s"


class AdminCog(commands.Cog):
    precis = app_commands.Group(name="precis", description="About Précis")

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


_COMMON = ("ar", "ca", "da", "de", "el", "en", "es", "fi", "fr", "hu", "id", "it", "nl",
           "no", "pl", "pt", "ro", "ru", "sv", "tr")  # fmt: skip


async def setup(bot: PrecisBot) -> None:
    await bot.add_cog(AdminCog(bot))
