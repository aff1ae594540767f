"""The wording of `/feed log`: one line per item saying what became of it and why, every
outside string (titles, errors, filter words) escaped, within an embed's limits."""

from __future__ import annotations

import datetime as dt

from bot import escape
from bot.escape import discord_inline as _md
from bot.feeds.fates import FAILED_FATE, GROUPED, LANGUAGE, POSTED, RETRY, Fate
from bot.feeds.schema import (
    BACKLOG,
    DUPLICATE,
    FILTERED,
    FLOOD,
    IN_DIGEST,
    PAUSED_FATE,
    QUEUED,
)  # fmt: skip

DESCRIPTION_LIMIT = 4096  # an embed's description
TITLE_LIMIT = 256

_ICONS = {
    POSTED: "\u2705", QUEUED: "\u23f3", RETRY: "\U0001f501", FAILED_FATE: "\u274c",
    FILTERED: "\U0001f6ab", DUPLICATE: "\u267b\ufe0f", BACKLOG: "\u23ee\ufe0f",
    FLOOD: "\U0001f30a", LANGUAGE: "\U0001f310", PAUSED_FATE: "\u23f8\ufe0f",
    GROUPED: "\U0001f517",
    IN_DIGEST: "\U0001f5de\ufe0f",
}  # fmt: skip


def message_link(guild_id: int, channel_id: int, message_id: int) -> str:
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}"


def _stamp(when: dt.datetime | None) -> str:
    """A Discord timestamp (shown in each reader's own time zone)."""
    return f"<t:{int(when.timestamp())}:f>" if when else "soon"


def fate_text(fate: Fate) -> str:
    """Why the item was or wasn't posted, in a few words."""
    reason = _md(fate.reason, 160) if fate.reason else None
    if fate.fate == POSTED:
        if fate.channel_id and fate.message_id:
            link = message_link(fate.guild_id, fate.channel_id, fate.message_id)
            return f"posted: [the message]({link})"
        return "posted"
    if fate.fate == GROUPED:  # the same story as an earlier post: added to it
        if fate.channel_id and fate.message_id:
            link = message_link(fate.guild_id, fate.channel_id, fate.message_id)
            return f"grouped with [the earlier post]({link}) (the same story)"
        return "grouped with an earlier post (the same story)"
    if fate.fate == QUEUED:
        return "queued: it will be posted shortly"
    if fate.fate == RETRY:
        return f"waiting for a retry at {_stamp(fate.next_attempt)}" + (
            f" (last error: {reason})" if reason else ""
        )
    if fate.fate == FAILED_FATE:
        return "failed" + (f": {reason}" if reason else "")
    if fate.fate == FILTERED:
        return "filtered out" + (f" by {reason}" if reason else "")
    if fate.fate == DUPLICATE:
        return "duplicate: " + (reason or "an item already seen")
    if fate.fate == BACKLOG:
        return "older than the subscription: " + (reason or "not taken")
    if fate.fate == FLOOD:
        return "over the flood cap: " + (reason or "too many new items at once")
    if fate.fate == PAUSED_FATE:
        return "not posted: " + (reason or "new while the subscription was paused")
    if fate.fate == IN_DIGEST:
        return "in digest: " + (reason or "the channel's digest takes it")
    if fate.fate == LANGUAGE:
        return "language not allowed" + (f": {reason}" if reason else "")
    return _md(fate.fate)


def fate_line(fate: Fate) -> str:
    title = _md(fate.title or "untitled", 80)
    target = escape.link_target(fate.link)
    shown = f"[{title}]({target})" if target and len(target) <= 600 else f"**{title}**"
    icon = _ICONS.get(fate.fate, "\u2022")
    return f"{icon} {shown} — {fate_text(fate)}"


def log_title(feed_title: str, shown: int) -> str:
    return f"Last {shown} items of {_md(feed_title, TITLE_LIMIT - 40)}"


def log_description(fates: list[Fate]) -> str:
    """Whole lines within the embed's limit (a line alone too long is cut)."""
    kept: list[str] = []
    used = 0
    for n, fate in enumerate(fates):
        line = escape.cut(fate_line(fate), 900)
        if used + len(line) + 1 > DESCRIPTION_LIMIT - 40:
            kept.append(f"… and {len(fates) - n} more")
            break
        kept.append(line)
        used += len(line) + 1
    return "\n".join(kept)
