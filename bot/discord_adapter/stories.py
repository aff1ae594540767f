"""One story, one post: the "Also covered by" line of a story's first post, or a reply.

The line is written from the outlets recorded to the story (bot/feeds/story_rows.py), as
an embed field that replaces the one before: editing again with the same group writes
the same post. When the post cannot be edited — deleted, no longer ours to edit, in an
archived or locked thread, any refusal that is not "try later" — a short reply refers to
it instead, sent with the item's nonce (a repeat is the same message) and
`fail_if_not_exists=False` (a deleted post still gets the note, as a plain message).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord

from bot import escape
from bot.discord_adapter import threads
from bot.discord_adapter.mentions import NO_MENTIONS
from bot.feeds.rows import Delivery
from bot.feeds.runtime import DeliveryResult
from bot.feeds.story_rows import Outlet, StoryGroup

if TYPE_CHECKING:
    from bot.discord_adapter.client import PrecisBot
    from bot.discord_adapter.worker import WorkerClient

log = logging.getLogger("precis.discord")

ALSO_FIELD = "Also covered by"
FIELD_VALUE = 1024  # Discord's limits: an embed field's value, all of an embed's text
EMBED_TOTAL = 6000
_NAME = 60  # characters of an outlet's name shown
_LINK = 400  # a longer link shows as the name alone


def _outlet(outlet: Outlet) -> str:
    name = escape.discord_inline(outlet.name or "another outlet", _NAME)
    target = escape.link_target(outlet.link)
    return f"[{name}]({target})" if target and len(target) <= _LINK else name


def also_line(outlets: tuple[Outlet, ...], most: int, limit: int = FIELD_VALUE) -> str:
    """At most `most` outlets, linked, then "+N more"; within `limit` characters."""
    for shown in range(min(most, len(outlets)), -1, -1):
        parts = [_outlet(o) for o in outlets[:shown]]
        if len(outlets) > shown:
            parts.append(f"+{len(outlets) - shown} more")
        line = " · ".join(parts)
        if len(line) <= limit:
            return line
    return f"{len(outlets)} outlets"


def _embed_size(embed: dict[str, Any]) -> int:
    size = len(embed.get("title") or "") + len(embed.get("description") or "")
    size += len((embed.get("footer") or {}).get("text") or "")
    size += len((embed.get("author") or {}).get("name") or "")
    fields = embed.get("fields") or []
    return size + sum(len(f.get("name", "")) + len(f.get("value", "")) for f in fields)


def with_outlets(embed: dict[str, Any], outlets: tuple[Outlet, ...], most: int) -> dict[str, Any]:
    """The post's embed with its "Also covered by" field (replaced, never added twice)."""
    fields = [f for f in embed.get("fields") or [] if f.get("name") != ALSO_FIELD][:24]
    rest = dict(embed, fields=fields)
    room = min(FIELD_VALUE, EMBED_TOTAL - _embed_size(rest) - len(ALSO_FIELD))
    line = also_line(outlets, most, max(room, 0))
    return dict(rest, fields=[*fields, {"name": ALSO_FIELD, "value": line, "inline": False}])


def reply_text(d: Delivery, link: str) -> str:
    item = Outlet(d.feed_title, d.item.link, d.item.title)
    return escape.cut(f"Also covered by {_outlet(item)} — the same story as {link}", 2000)


def _refused(exc: discord.HTTPException) -> bool:
    """A refusal to edit that waiting does not change (else: retry later)."""
    return 400 <= exc.status < 500 and exc.status != 429


async def add_to_story(
    bot: PrecisBot | WorkerClient, d: Delivery, group: StoryGroup, most: int
) -> DeliveryResult:
    channel_id, message_id = group.channel_id, group.message_id
    assert message_id is not None
    try:
        channel = bot.get_channel(channel_id) or await bot.fetch_channel(channel_id)
    except discord.NotFound:
        channel = None  # the post's channel or thread is gone: note it where the item goes
    except threads.ERRORS as exc:
        return threads.failure(exc, channel_id)
    if isinstance(channel, discord.abc.Messageable):
        try:
            message = await channel.fetch_message(message_id)
            if message.embeds:
                embed = dict(message.embeds[0].to_dict())
                new = discord.Embed.from_dict(with_outlets(embed, group.outlets, most))
                await message.edit(embed=new, allowed_mentions=NO_MENTIONS)
                return DeliveryResult.sent(None)
        except discord.HTTPException as exc:
            if not _refused(exc):
                return threads.failure(exc, channel_id)
            log.info("the post %s of story %s cannot be edited (%s %s): replying",
                     message_id, group.lead_id, exc.status, exc.code)  # fmt: skip
        except threads.ERRORS as exc:
            return threads.failure(exc, channel_id)
    return await _reply(bot, d, group, channel if isinstance(channel, discord.abc.Messageable)
                        else None)  # fmt: skip


async def _reply(
    bot: PrecisBot | WorkerClient,
    d: Delivery,
    group: StoryGroup,
    channel: discord.abc.Messageable | None,
) -> DeliveryResult:
    assert group.message_id is not None
    link = f"https://discord.com/channels/{group.guild_id}/{group.channel_id}/{group.message_id}"
    target_id = group.channel_id if channel is not None else d.channel_id
    try:
        target = channel or bot.get_channel(target_id) or await bot.fetch_channel(target_id)
        if not isinstance(target, discord.abc.Messageable):
            return DeliveryResult.gone(f"<#{target_id}> is not a text channel")
        reference = discord.MessageReference(
            message_id=group.message_id, channel_id=group.channel_id, guild_id=group.guild_id,
            fail_if_not_exists=False,
        )  # fmt: skip
        sent = await target.send(
            reply_text(d, link), nonce=d.nonce, allowed_mentions=NO_MENTIONS,
            reference=reference if channel is not None else None,  # type: ignore[arg-type]
            suppress_embeds=True,
        )  # fmt: skip
    except threads.ERRORS as exc:
        return threads.failure(exc, target_id)
    return DeliveryResult.sent(sent.id)
