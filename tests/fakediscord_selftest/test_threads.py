"""The emulator's forum channels and threads, driven by real discord.py calls: what Discord
accepts it accepts, what Discord refuses it refuses with Discord's codes."""

from __future__ import annotations

import asyncio
from typing import Any

import discord
import pytest

from tests.fakediscord import FakeDiscord
from tests.fakediscord_selftest.conftest import SelftestBot


async def _forum(fake: FakeDiscord, bot: SelftestBot, guild: dict[str, Any], **kw: Any) -> Any:
    made = await fake.create_forum(guild["id"], "press", ["Local", "World"], **kw)
    for _ in range(50):  # CHANNEL_CREATE reaches the bot's cache
        forum = bot.get_channel(made["id"])
        if forum is not None:
            return forum, made["tags"]
        await asyncio.sleep(0.05)
    raise AssertionError("the forum never reached the bot")


async def test_forum_post_with_tag_and_its_first_message(
    fake: FakeDiscord, bot: SelftestBot, guild: dict[str, Any]
) -> None:
    forum, tags = await _forum(fake, bot, guild)
    assert isinstance(forum, discord.ForumChannel)
    assert [t.name for t in forum.available_tags] == ["Local", "World"]
    made = await forum.create_thread(
        name="Harbour story", embed=discord.Embed(title="Harbour story"),
        applied_tags=[discord.Object(tags["Local"])], auto_archive_duration=4320,  # type: ignore[list-item]
    )  # fmt: skip
    assert made.thread.name == "Harbour story" and made.thread.parent_id == forum.id
    assert made.message.id == made.thread.id  # a forum post's first message has its id
    [post] = fake.threads(forum.id)
    assert post["applied_tags"] == [str(tags["Local"])]
    assert post["thread_metadata"]["auto_archive_duration"] == 4320
    assert post["messages"][0]["embeds"][0]["title"] == "Harbour story"
    active = await bot.http.get_active_threads(guild["id"])
    assert [t["id"] for t in active["threads"]] == [str(made.thread.id)]
    assert active["threads"][0]["owner_id"] == str(bot.user.id)  # type: ignore[union-attr]


async def test_forum_refusals(fake: FakeDiscord, bot: SelftestBot, guild: dict[str, Any]) -> None:
    forum, tags = await _forum(fake, bot, guild, require_tag=True)
    assert forum.flags.require_tag
    embed = discord.Embed(title="x")
    with pytest.raises(discord.HTTPException) as no_tag:
        await forum.create_thread(name="No tag", embed=embed)
    assert no_tag.value.code == 40067
    for name in ("", "x" * 101):
        with pytest.raises(discord.HTTPException) as bad_name:
            await forum.create_thread(name=name, embed=embed, applied_tags=[discord.Object(tags["World"])])  # type: ignore[list-item]  # noqa: E501
        assert bad_name.value.code == 50035 and "name" in str(bad_name.value.text)
    with pytest.raises(discord.HTTPException) as unknown_tag:
        await forum.create_thread(name="Bad tag", embed=embed, applied_tags=[discord.Object(1234)])  # type: ignore[list-item]  # noqa: E501
    assert unknown_tag.value.code == 50035 and "applied_tags" in str(unknown_tag.value.text)
    with pytest.raises(discord.HTTPException) as bad_archive:
        await forum.create_thread(name="Archive", embed=embed, auto_archive_duration=30,  # type: ignore[arg-type]
                                  applied_tags=[discord.Object(tags["World"])])  # type: ignore[list-item]  # fmt: skip
    assert bad_archive.value.code == 50035
    await fake.set_channel_permission(forum.id, can_send=False)
    with pytest.raises(discord.Forbidden):
        await forum.create_thread(name="Denied", embed=embed, applied_tags=[discord.Object(tags["World"])])  # type: ignore[list-item]  # noqa: E501
    assert fake.threads(forum.id) == []


async def test_one_thread_per_message_then_160004(
    fake: FakeDiscord, bot: SelftestBot, guild: dict[str, Any]
) -> None:
    news = guild["channels"]["news"]
    message = await bot.get_channel(news).send("story")  # type: ignore[union-attr]
    thread = await message.create_thread(name="Story talk", auto_archive_duration=60)
    assert thread.id == message.id and thread.parent_id == news
    with pytest.raises(discord.HTTPException) as again:
        await bot.http.start_thread_with_message(news, message.id, name="Story talk",
                                                 auto_archive_duration=60)  # fmt: skip
    assert again.value.status == 400 and again.value.code == 160004
    assert len(fake.threads(news)) == 1
    assert fake.message(message.id)["thread"]["id"] == str(message.id)
    with pytest.raises(discord.NotFound) as missing:
        await bot.http.start_thread_with_message(news, 1, name="x", auto_archive_duration=60)
    assert missing.value.code == 10008
    other = await bot.get_channel(news).send("other")  # type: ignore[union-attr]
    await fake.set_channel_permission(news, can_thread=False)
    with pytest.raises(discord.Forbidden) as denied:
        await other.create_thread(name="Denied")
    assert denied.value.code == 50013


async def test_a_withheld_or_failed_answer_still_creates_the_thread(
    fake: FakeDiscord, bot: SelftestBot, guild: dict[str, Any]
) -> None:
    news = guild["channels"]["news"]
    message = await bot.get_channel(news).send("story")  # type: ignore[union-attr]
    fake.inject_fault("POST", r"/threads$", kind="fail_after", status=500, count=5)
    with pytest.raises(discord.HTTPException):
        await bot.http.start_thread_with_message(news, message.id, name="t", auto_archive_duration=60)  # noqa: E501
    assert len(fake.threads(news)) == 1  # it exists although the answer was an error
    fake.clear_faults()
    fake.inject_fault("POST", r"/threads$", kind="slow_response", hang_seconds=30)
    second = await bot.get_channel(news).send("story 2")  # type: ignore[union-attr]
    call = asyncio.ensure_future(second.create_thread(name="t2"))
    for _ in range(100):
        if len(fake.threads(news)) == 2:
            break
        await asyncio.sleep(0.05)
    assert len(fake.threads(news)) == 2 and not call.done()  # created, answer withheld
    call.cancel()


async def test_archived_posts_leave_the_active_list_for_the_archived_one(
    fake: FakeDiscord, bot: SelftestBot, guild: dict[str, Any]
) -> None:
    forum, _ = await _forum(fake, bot, guild)
    posts = [await forum.create_thread(name=f"Post {n}", content="x") for n in (1, 2, 3)]
    await fake.archive_thread(posts[0].thread.id)
    await fake.archive_thread(posts[2].thread.id)
    active = await bot.http.get_active_threads(guild["id"])
    assert [t["name"] for t in active["threads"]] == ["Post 2"]
    archived = await bot.http.get_public_archived_threads(forum.id, limit=100)
    assert [t["name"] for t in archived["threads"]] == ["Post 3", "Post 1"]  # newest first
    assert all(t["thread_metadata"]["archived"] for t in archived["threads"])
