"""Fixtures for the emulator's own tests: a FakeDiscord plus a small REAL discord.py bot."""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.fakediscord import FakeDiscord, point_discord_py_at


class SelftestBot(commands.Bot):
    """The smallest bot that exercises what Précis does: defer + follow-up embeds,
    ephemeral replies, subcommands, attachment options, a message context menu."""

    def __init__(self, guild_id: int) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            guild_ready_timeout=0.1,
            allowed_mentions=discord.AllowedMentions.none(),
        )
        self.guild_obj = discord.Object(guild_id)
        self.ready_event = asyncio.Event()
        self.guild_ready = asyncio.Event()
        self.errors: list[discord.HTTPException] = []
        self.seen: list[tuple[str, Any]] = []
        self.slow_delay = 0.0
        self.huge_description = 5000

    async def setup_hook(self) -> None:
        tree = self.tree
        guild = self.guild_obj

        @tree.command(name="summarize", description="Summarize an article", guild=guild)
        @app_commands.describe(url="Article URL")
        async def summarize(interaction: discord.Interaction, url: str, sentences: int = 3) -> None:
            self.seen.append(("summarize", (url, sentences)))
            await interaction.response.defer(thinking=True)
            embed = discord.Embed(title="Summary", description=f"{sentences} sentences of {url}")
            embed.add_field(name="Source", value=url)
            await interaction.followup.send(embed=embed)

        @tree.command(name="private", description="Ephemeral reply", guild=guild)
        async def private(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("only you can see this", ephemeral=True)

        @tree.command(name="huge", description="Oversized embed", guild=guild)
        async def huge(interaction: discord.Interaction) -> None:
            await interaction.response.defer()
            try:
                await interaction.followup.send(
                    embed=discord.Embed(description="x" * self.huge_description)
                )
            except discord.HTTPException as exc:
                self.errors.append(exc)
                await interaction.followup.send(f"failed: {exc.code}")

        @tree.command(name="slow", description="Answers too late", guild=guild)
        async def slow(interaction: discord.Interaction) -> None:
            await asyncio.sleep(self.slow_delay)
            try:
                await interaction.response.send_message("late")
            except discord.HTTPException as exc:
                self.errors.append(exc)

        @tree.command(name="upload", description="Summarize a file", guild=guild)
        async def upload(interaction: discord.Interaction, document: discord.Attachment) -> None:
            data = await document.read()
            self.seen.append(("upload", (document.filename, data)))
            await interaction.response.send_message(f"{document.filename}: {len(data)} bytes")

        @tree.command(name="export", description="Send a file, then edit", guild=guild)
        async def export(interaction: discord.Interaction) -> None:
            await interaction.response.defer(ephemeral=True)
            data = io.BytesIO("# Summary\n\nÉté.\n".encode())
            await interaction.followup.send("here", file=discord.File(data, "summary.md"))
            await interaction.edit_original_response(content="here (edited)")
            extra = await interaction.followup.send("second", ephemeral=True, wait=True)
            await extra.delete()

        feeds = app_commands.Group(name="feeds", description="Feed subscriptions")

        @feeds.command(name="add", description="Subscribe this channel")
        async def feeds_add(
            interaction: discord.Interaction, url: str, channel: discord.TextChannel
        ) -> None:
            self.seen.append(("feeds add", (url, channel.id)))
            await interaction.response.send_message(
                f"subscribed {channel.mention} to {url}", ephemeral=True
            )

        tree.add_command(feeds, guild=guild)

        @tree.context_menu(name="Summarize message", guild=guild)
        async def summarize_message(
            interaction: discord.Interaction, message: discord.Message
        ) -> None:
            names = [a.filename for a in message.attachments]
            self.seen.append(("menu", (message.id, message.content, names)))
            await interaction.response.send_message(
                f"summary of {message.content[:50]!r} with {len(names)} files", ephemeral=True
            )

        await tree.sync(guild=guild)

    async def on_ready(self) -> None:
        self.ready_event.set()

    async def on_guild_available(self, guild: discord.Guild) -> None:
        self.guild_ready.set()


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(heartbeat_interval=0.2) as fake:
        await fake.create_guild("Selftest", channels=["general", "news"])
        restore = point_discord_py_at(fake.api_base, fake.gateway_url)
        try:
            yield fake
        finally:
            restore()


@pytest.fixture
def guild(fake: FakeDiscord) -> dict[str, Any]:
    return fake.guild_view(next(iter(fake.world.guilds)))


@pytest.fixture
async def bot(fake: FakeDiscord, guild: dict[str, Any]) -> AsyncIterator[SelftestBot]:
    bot = SelftestBot(guild["id"])
    task = asyncio.create_task(bot.start(fake.token))
    try:
        await asyncio.wait_for(bot.ready_event.wait(), 10)
    except TimeoutError:
        task.cancel()
        with contextlib.suppress(BaseException):
            await task
        raise
    try:
        yield bot
    finally:
        await bot.close()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 5)
