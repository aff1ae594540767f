"""Forum posts and threads for the sink: creating them, finding our own, and what
Discord's answers mean (sent / retry later / gone).

Thread creation takes no nonce; the guard against a second post after a crash is the
feeds package's (bot/feeds/posting.py): it asks `own_forum_posts` before creating again,
and a thread asked for twice on one message answers 160004, which counts as done.

discord.py repeats a request that Discord answered 500, 502, 504 or 524, at once and
blindly. For a message with a nonce, or a thread on a message, that is harmless; for a
forum post it is a second post whenever Discord created the first but answered an error.
So a forum post is asked for once (`single_attempt`): an uncertain answer ends the
attempt, and the next one looks for the post before creating it.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import logging
from collections.abc import Iterator
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import aiohttp
import discord

from bot.discord_adapter.embeds import embed_dict
from bot.discord_adapter.mentions import role_ping
from bot.feeds.rows import Delivery
from bot.feeds.runtime import DeliveryResult
from bot.models import Summary

if TYPE_CHECKING:
    from bot.discord_adapter.sink import DiscordSink

log = logging.getLogger("precis.discord")

THREAD_EXISTS = 160004  # "A thread has already been created for this message"
TAG_REQUIRED = 40067  # "A tag is required to create a forum post in this channel"
UNKNOWN_MESSAGE = 10008


def failure(exc: Exception, channel_id: int, doing: str = "post") -> DeliveryResult:
    """What a failed request means for a post in <#channel_id>."""
    if isinstance(exc, discord.NotFound):
        return DeliveryResult.gone(f"the channel <#{channel_id}> no longer exists")
    if isinstance(exc, discord.Forbidden):
        return DeliveryResult.gone(f"I am not allowed to {doing} in <#{channel_id}> any more")
    if isinstance(exc, discord.HTTPException):
        retry_after = float(getattr(exc, "retry_after", 0) or 0)
        return DeliveryResult.retry(retry_after, f"Discord answered {exc.status}")
    return DeliveryResult.retry(0, f"Discord unreachable ({type(exc).__name__})")


_SINGLE_ATTEMPT: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "precis_single_attempt", default=False
)


class UncertainAnswer(Exception):
    """Discord answered a request that must not be repeated blindly with a server error
    (or the connection broke): it may or may not have been done."""


@contextlib.contextmanager
def single_attempt() -> Iterator[None]:
    """Requests made inside are sent once: a 5xx answer or a broken connection raises
    `UncertainAnswer` instead of discord.py's blind retry."""
    token = _SINGLE_ATTEMPT.set(True)
    try:
        yield
    finally:
        _SINGLE_ATTEMPT.reset(token)


def install_single_attempt(trace: aiohttp.TraceConfig) -> aiohttp.TraceConfig:
    """Hook `single_attempt` into the trace config given to discord.py (`http_trace=`)."""

    async def on_request_end(_s: aiohttp.ClientSession, _c: SimpleNamespace, params: Any) -> None:
        if _SINGLE_ATTEMPT.get() and params.response.status >= 500:
            raise UncertainAnswer(f"Discord answered {params.response.status}")

    async def on_request_exception(
        _s: aiohttp.ClientSession, _c: SimpleNamespace, params: Any
    ) -> None:
        if _SINGLE_ATTEMPT.get() and not isinstance(params.exception, UncertainAnswer):
            raise UncertainAnswer(f"no answer from Discord ({type(params.exception).__name__})")

    trace.on_request_end.append(on_request_end)
    trace.on_request_exception.append(on_request_exception)
    return trace


ERRORS = (discord.HTTPException, TimeoutError, aiohttp.ClientError, OSError)


async def create_forum_post(
    sink: DiscordSink, delivery: Delivery, summary: Summary, name: str, archive: int
) -> DeliveryResult:
    forum_id = delivery.channel_id
    try:
        forum = await sink.channel(forum_id)
        if not isinstance(forum, discord.ForumChannel):
            return DeliveryResult.gone(f"<#{forum_id}> is not a forum channel any more")
        embed = discord.Embed.from_dict(
            embed_dict(summary, feed_name=delivery.feed_title, server=delivery.server)
        )
        content, allowed = role_ping(delivery.ping_role)
        kwargs: dict[str, Any] = {"name": name, "embed": embed, "allowed_mentions": allowed,
                                  "content": content, "auto_archive_duration": archive}  # fmt: skip
        if delivery.tag_id is not None:
            kwargs["applied_tags"] = [discord.Object(id=delivery.tag_id)]
        with single_attempt():
            created = await forum.create_thread(**kwargs)
    except UncertainAnswer as exc:  # perhaps created: the next attempt looks for it first
        return DeliveryResult.retry(0, f"{exc}; the post may exist")
    except discord.HTTPException as exc:
        if exc.code == TAG_REQUIRED:
            return DeliveryResult.gone(
                f"the forum <#{forum_id}> now requires a tag on every post "
                "(remove the feed and add it again with `tag:`)"
            )
        if exc.status == 400 and "applied_tags" in str(exc.text):
            return DeliveryResult.gone(f"its tag no longer exists in the forum <#{forum_id}>")
        return failure(exc, forum_id, "create posts")
    except ERRORS as exc:
        return failure(exc, forum_id, "create posts")
    return DeliveryResult.sent(created.message.id, thread_id=created.thread.id)


async def own_forum_posts(
    bot: discord.Client, delivery: Delivery, name: str, since: dt.datetime
) -> list[int] | DeliveryResult:
    """Posts of `delivery`'s forum that this bot created under `name` since `since`: the
    active ones, else the most recently archived (a post can be archived before the
    attempt that looks for it, when Discord stayed unreachable for long)."""
    me = bot.user
    if me is None:
        return DeliveryResult.retry(30, "not connected to Discord")
    forum_id = delivery.channel_id
    try:
        data = await bot.http.get_active_threads(delivery.guild_id)
        found = _ours(data, forum_id, me.id, name, since)
        if not found:
            data = await bot.http.get_public_archived_threads(forum_id, limit=100)
            found = _ours(data, forum_id, me.id, name, since)
    except ERRORS as exc:
        return failure(exc, forum_id, "read the posts")
    return found


def _ours(data: Any, forum_id: int, me: int, name: str, since: dt.datetime) -> list[int]:
    found = []
    for thread in data.get("threads", []):
        thread_id = int(thread["id"])
        if (
            str(thread.get("parent_id")) == str(forum_id)
            and str(thread.get("owner_id")) == str(me)
            and thread.get("name") == name
            and discord.utils.snowflake_time(thread_id) >= since
        ):
            found.append(thread_id)
    return found


async def start_thread(
    bot: discord.Client, delivery: Delivery, message_id: int, name: str, archive: int
) -> DeliveryResult:
    channel_id = delivery.channel_id
    try:
        data = await bot.http.start_thread_with_message(
            channel_id,
            message_id,
            name=name,
            auto_archive_duration=archive,  # type: ignore[arg-type]
        )
    except discord.HTTPException as exc:
        if exc.code == THREAD_EXISTS:  # asked again after a crash or a lost answer: done
            log.info("message %s already has its thread", message_id)
            return DeliveryResult.sent(message_id, thread_id=message_id)
        if isinstance(exc, discord.NotFound) and exc.code == UNKNOWN_MESSAGE:
            log.info("message %s was deleted before its thread was started", message_id)
            return DeliveryResult.sent(message_id)
        return failure(exc, channel_id, "start threads")
    except ERRORS as exc:
        return failure(exc, channel_id, "start threads")
    return DeliveryResult.sent(message_id, thread_id=int(data["id"]))
