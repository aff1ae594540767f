"""Where `/feed add` posts, checked when the feed is added: a text channel (optionally a
thread per post) or a forum (a post per item, optionally tagged). A bad combination is an
`InputError` whose message says what would work (it lists the forum's tags)."""

from __future__ import annotations

import discord

from bot.errors import InputError
from bot.escape import discord_inline as _md
from bot.feeds.rows import Placement
from bot.feeds.schema import CHANNEL, FORUM, THREAD


def placement(channel: object, *, thread: bool, tag: str | None) -> Placement:
    """The placement for posting in `channel` with the `thread:` and `tag:` options."""
    tag = (tag or "").strip() or None
    if isinstance(channel, discord.ForumChannel):
        return _forum(channel, thread=thread, tag=tag)
    if tag is not None:
        raise InputError("`tag:` is for forum channels: pick a forum in `channel:`.")
    if not thread:
        return Placement(CHANNEL)
    if not isinstance(channel, discord.TextChannel):
        raise InputError("`thread:True` needs a text channel (I start a thread on each post).")
    me = channel.guild.me
    if me is not None:
        perms = channel.permissions_for(me)
        if not (perms.create_public_threads and perms.send_messages_in_threads):
            raise InputError(
                f"I need the **Create Public Threads** and **Send Messages in Threads** "
                f"permissions in <#{channel.id}> to start a thread on each post."
            )
    return Placement(THREAD)


def _forum(forum: discord.ForumChannel, *, thread: bool, tag: str | None) -> Placement:
    if thread:
        raise InputError(
            "`thread:` is for text channels: in a forum, every item is already its own post."
        )
    tags = forum.available_tags
    names = ", ".join(f"`{_md(t.name, 40)}`" for t in tags)
    if tag is None:
        if forum.flags.require_tag:
            raise InputError(
                f"The forum <#{forum.id}> requires a tag on every post: add `tag:` "
                f"with one of {names}."
            )
        return Placement(FORUM)
    for known in tags:
        if known.name.casefold() == tag.casefold():
            return Placement(FORUM, tag_id=known.id, tag_name=known.name)
    if not tags:
        raise InputError(f"The forum <#{forum.id}> has no tags: leave `tag:` out.")
    raise InputError(f"The forum <#{forum.id}> has no tag “{_md(tag, 40)}”. Its tags are: {names}.")


def placement_text(mode: str, tag_name: str | None) -> str:
    """How a subscription posts, for `/feed list` and `/feed add`'s answer ("" for plain
    channel messages)."""
    if mode == FORUM:
        return "a forum post per item" + (f" tagged **{_md(tag_name, 40)}**" if tag_name else "")
    if mode == THREAD:
        return "a thread on each post"
    return ""
