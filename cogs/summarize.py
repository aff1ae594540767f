"""`/summarize` and the "Summarize" message action: thin adapters around the pipeline."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot import escape
from bot.discord_adapter.embeds import embed_dict
from bot.errors import PrecisError, TooLarge, UnsupportedType
from bot.options import SENTENCES_MAX, SENTENCES_MIN
from bot.pipeline import FileSource, Source, TextSource, url_source
from bot.server_settings import ServerDefaults
from bot.service import Busy

if TYPE_CHECKING:
    from bot.discord_adapter.client import PrecisBot

log = logging.getLogger("precis.cogs.summarize")

READABLE_SUFFIXES = {".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml", ".pdf"}
READABLE_TYPES = ("text/", "application/pdf", "application/xhtml+xml")
LINK = re.compile(r"https?://[^\s<>\"')\]]+", re.IGNORECASE)
NO_MENTIONS = discord.AllowedMentions.none()

SourceMaker = Callable[[], Awaitable[Source]]


def check_attachment(attachment: discord.Attachment, max_bytes: int) -> None:
    """Refuse, before downloading, files we cannot or must not read."""
    if attachment.size > max_bytes:
        raise TooLarge(
            f"`{attachment.filename}` is {attachment.size / 1048576:.1f} MB; "
            f"the limit is {max_bytes / 1048576:.0f} MB."
        )
    suffix = PurePosixPath(attachment.filename.lower()).suffix
    content_type = (attachment.content_type or "").lower()
    if suffix not in READABLE_SUFFIXES and not content_type.startswith(READABLE_TYPES):
        raise UnsupportedType(
            f"I can't read `{attachment.filename}`: I read text, Markdown, HTML and PDF files."
        )


def attachment_source(attachment: discord.Attachment) -> SourceMaker:
    async def download() -> Source:
        try:
            data = await attachment.read()
        except discord.HTTPException as exc:
            raise PrecisError(f"I couldn't download `{attachment.filename}` from Discord.") from exc
        return FileSource(data=data, name=attachment.filename,
                          content_type=attachment.content_type)  # fmt: skip

    return download


def ready(source: Source) -> SourceMaker:
    async def give() -> Source:
        return source

    return give


class SummarizeCog(commands.Cog):
    def __init__(self, bot: PrecisBot) -> None:
        self.bot = bot
        self.menu = app_commands.ContextMenu(name="Summarize", callback=self.summarize_message)
        bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    @app_commands.command(
        name="summarize", description="Summarize an article: a link, a file or pasted text"
    )
    @app_commands.describe(
        url="Link to the article",
        file="A text, Markdown, HTML or PDF file",
        text="The article's text, pasted",
        sentences=f"How many sentences ({SENTENCES_MIN}-{SENTENCES_MAX})",
        private="Answer only to me",
    )
    async def summarize(
        self,
        interaction: discord.Interaction,
        url: str | None = None,
        file: discord.Attachment | None = None,
        text: str | None = None,
        sentences: app_commands.Range[int, SENTENCES_MIN, SENTENCES_MAX] | None = None,
        private: bool = False,
    ) -> None:
        given = [s for s in (url, file, text) if s]
        try:
            if not given:
                raise PrecisError(
                    "Give me something to summarize: a `url`, a `file` or some `text`."
                )
            if len(given) > 1:
                raise PrecisError("Give only one source at a time: a `url`, a `file` or `text`.")
            if file is not None:
                check_attachment(file, self.bot.settings.max_file_bytes)
                maker = attachment_source(file)
            elif url:
                maker = ready(url_source(url))
            else:
                maker = ready(TextSource(text or ""))
        except PrecisError as exc:
            await interaction.response.send_message(escape.message(str(exc)), ephemeral=True)
            return
        await self.run(interaction, maker, sentences=sentences, private=private, door="slash")

    async def summarize_message(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        link = LINK.search(message.content or "")
        try:
            if link:
                maker = ready(url_source(link.group(0)))
            elif message.attachments:
                check_attachment(message.attachments[0], self.bot.settings.max_file_bytes)
                maker = attachment_source(message.attachments[0])
            elif (message.content or "").strip():
                maker = ready(TextSource(message.content))
            else:
                raise PrecisError("That message has no link, file or text to summarize.")
        except PrecisError as exc:
            await interaction.response.send_message(escape.message(str(exc)), ephemeral=True)
            return
        await self.run(interaction, maker, sentences=None, private=False, door="context-menu")

    async def run(
        self,
        interaction: discord.Interaction,
        make_source: SourceMaker,
        *,
        sentences: int | None,
        private: bool,
        door: str,
    ) -> None:
        service = self.bot.service
        try:
            service.admit(interaction.user.id)
        except Busy as exc:
            await interaction.response.send_message(escape.message(str(exc)), ephemeral=True)
            return
        # Acknowledge within Discord's 3 s; the follow-up token lasts 15 min.
        await interaction.response.defer(ephemeral=private, thinking=True)
        server = await self.server_settings(interaction.guild_id)
        options = service.options(sentences, server_sentences=server.sentences)
        try:
            source = await make_source()
            _, summary = await service.summarize(source, options, door=door)
        except PrecisError as exc:
            await self.fail(interaction, escape.message(str(exc)), private=private)
            return
        except Exception:
            log.exception("summarize failed (door=%s)", door)
            await self.fail(interaction, "Something went wrong on my side; it has been logged.",
                            private=private)  # fmt: skip
            return
        embed = discord.Embed.from_dict(embed_dict(summary, server=server))
        await interaction.followup.send(
            embed=embed, ephemeral=private, allowed_mentions=NO_MENTIONS
        )

    async def server_settings(self, guild_id: int | None) -> ServerDefaults:
        """The server's defaults; when the database cannot say, the instance's (logged)."""
        try:
            return await self.bot.store.get_server_settings(guild_id)
        except Exception:
            log.exception("could not read the settings of server %s", guild_id)
            return ServerDefaults()

    async def fail(self, interaction: discord.Interaction, message: str, *, private: bool) -> None:
        """Errors are private: drop the public "thinking…" message, then answer ephemerally."""
        if not private:
            try:
                await interaction.delete_original_response()
            except discord.HTTPException:
                log.warning("could not delete the deferred response")
        await interaction.followup.send(message, ephemeral=True, allowed_mentions=NO_MENTIONS)


async def setup(bot: PrecisBot) -> None:
    await bot.add_cog(SummarizeCog(bot))
