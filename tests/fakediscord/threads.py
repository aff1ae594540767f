"""Threads and forum posts, checked like Discord checks them.

    POST /channels/{forum}/threads                      a forum post: {name, message, applied_tags,
                                                        auto_archive_duration}; its first message
                                                        has the post's id
    POST /channels/{text}/threads                       a thread without a starter message
    POST /channels/{channel}/messages/{message}/threads a thread on a message (its id too)
    GET  /guilds/{guild}/threads/active                 {"threads": [...], "members": []}
    GET  /channels/{channel}/threads/archived/public    its archived public threads, the most
                                                        recently archived first (?limit, ?before)

What Discord refuses is refused: a name outside 1-100 characters or an auto-archive
duration other than 60, 1440, 4320, 10080 (400 50035); a forum post without `message`
(50035), with more than 5 tags or a tag id the forum does not have (50035 on
`applied_tags`), or without a tag in a forum that requires one (400 40067); a second thread
on one message (400 160004); no permission (403 50013: `can_send` for a forum,
`can_thread` for threads in a text channel); an unknown channel (10003) or message (10008).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from .limits import FormErrors, validate_message
from .model import (
    CHANNEL_REQUIRE_TAG,
    FORUM,
    INTENT_GUILD_MESSAGES,
    MESSAGE_HAS_THREAD,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    TEXT,
    Channel,
    StoredMessage,
)

if TYPE_CHECKING:
    from .rest import RestApi

ARCHIVE_DURATIONS = (60, 1440, 4320, 10080)
MAX_TAGS = 5
THREAD_EXISTS = (400, 160004, "A thread has already been created for this message")
TAG_REQUIRED = (400, 40067, "A tag is required to create a forum post in this channel")
WRONG_CHANNEL_TYPE = (400, 50024, "Cannot execute action on this channel type")


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def _thread_fields(payload: dict[str, Any], errors: FormErrors) -> None:
    name = payload.get("name")
    if not isinstance(name, str) or not 1 <= len(name) <= 100:
        errors.add(("name",), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
    archive = payload.get("auto_archive_duration")
    if archive is not None and _int(archive) not in ARCHIVE_DURATIONS:
        errors.add(("auto_archive_duration",), "BASE_TYPE_CHOICES",
                   "Value must be one of {60, 1440, 4320, 10080}.")  # fmt: skip


def _tag_errors(forum: Channel, tags: list[str], errors: FormErrors) -> None:
    if len(tags) > MAX_TAGS:
        errors.add(("applied_tags",), "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
    known = {str(t["id"]) for t in forum.available_tags}
    for index, tag in enumerate(tags):
        if tag not in known:
            errors.add(("applied_tags", str(index)), "TAG_INVALID", "Unknown tag.")


class ThreadsApi:
    def __init__(self, rest: RestApi) -> None:
        self.rest = rest
        self.fake = rest.fake
        self.world = rest.world

    def add_routes(self) -> None:
        r = self.rest._add
        r("POST", "/channels/{channel_id}/threads", self.create_thread)
        r("POST", "/channels/{channel_id}/messages/{message_id}/threads", self.thread_on_message)
        r("GET", "/guilds/{guild_id}/threads/active", self.active_threads)
        r("GET", "/channels/{channel_id}/threads/archived/public", self.archived_threads)

    def _new_thread(
        self,
        parent: Channel,
        payload: dict[str, Any],
        *,
        thread_id: int,
        kind: int = PUBLIC_THREAD,
        tags: list[str] | None = None,
    ) -> Channel:
        thread = Channel(
            id=thread_id, guild_id=parent.guild_id, name=str(payload["name"]), position=0,
            type=kind, parent_id=parent.id, owner_id=self.world.bot_id, applied_tags=tags or [],
            auto_archive_duration=_int(payload.get("auto_archive_duration") or 1440),
            can_send=parent.can_send, can_thread=parent.can_thread,
        )  # fmt: skip
        self.world.channels[thread.id] = thread
        return thread

    async def create_thread(self, request: web.Request, p: dict[str, str]) -> web.Response:
        from .rest import (
            MISSING_PERMISSIONS,
            UNKNOWN_CHANNEL,
            Body,
            error,
            json_response,
            read_body,
        )

        channel = self.world.live_channel(_int(p["channel_id"]))
        if channel is None:
            return error(*UNKNOWN_CHANNEL)
        body: Body = await read_body(request)
        payload = body.payload if isinstance(body.payload, dict) else {}
        if channel.type == FORUM:
            return await self._forum_post(channel, payload, body)
        if channel.type != TEXT:
            return error(*WRONG_CHANNEL_TYPE)
        if not channel.can_thread:
            return error(*MISSING_PERMISSIONS)
        errors = FormErrors()
        _thread_fields(payload, errors)
        if errors:
            return json_response(400, errors.body())
        kind = PRIVATE_THREAD if _int(payload.get("type")) == PRIVATE_THREAD else PUBLIC_THREAD
        thread = self._new_thread(channel, payload, thread_id=self.world.ids.next(), kind=kind)
        await self._created(thread)
        return json_response(201, thread.thread_wire())

    async def _forum_post(self, forum: Channel, payload: dict[str, Any], body: Any) -> web.Response:
        from .rest import MISSING_PERMISSIONS, error, json_response

        if not forum.can_send:
            return error(*MISSING_PERMISSIONS)
        errors = FormErrors()
        _thread_fields(payload, errors)
        message = payload.get("message")
        if not isinstance(message, dict):
            errors.add(("message",), "BASE_TYPE_REQUIRED", "This field is required")
        tags = [str(t) for t in payload.get("applied_tags") or []]
        _tag_errors(forum, tags, errors)
        if errors:
            return json_response(400, errors.body())
        if forum.flags & CHANNEL_REQUIRE_TAG and not tags:
            return error(*TAG_REQUIRED)
        assert isinstance(message, dict)
        problem = validate_message(message, n_files=len(body.files))
        if problem:
            return json_response(*problem)
        w = self.world
        thread = self._new_thread(forum, payload, thread_id=w.ids.next(), tags=tags)
        wire = w.build_message(thread, message, author=w.bot_user,
                               attachments=self.rest._attachments_from(body))  # fmt: skip
        wire["id"] = str(thread.id)  # a forum post's first message has the post's id
        mentions = message.get("allowed_mentions")
        starter = StoredMessage(wire=wire, channel_id=thread.id, source="channel",
                                allowed_mentions=mentions)  # fmt: skip
        w.store_message(starter)
        await self._created(thread)
        return json_response(201, {**thread.thread_wire(), "message": wire})

    async def thread_on_message(self, request: web.Request, p: dict[str, str]) -> web.Response:
        from .rest import (
            MISSING_PERMISSIONS,
            UNKNOWN_CHANNEL,
            UNKNOWN_MESSAGE,
            error,
            json_response,  # fmt: skip
            read_body,
        )

        w = self.world
        channel = w.live_channel(_int(p["channel_id"]))
        if channel is None:
            return error(*UNKNOWN_CHANNEL)
        msg = w.messages.get(_int(p["message_id"]))
        if msg is None or msg.deleted or msg.channel_id != channel.id:
            return error(*UNKNOWN_MESSAGE)
        if channel.type != TEXT:
            return error(*WRONG_CHANNEL_TYPE)
        if not channel.can_thread:
            return error(*MISSING_PERMISSIONS)
        body = await read_body(request)
        payload = body.payload if isinstance(body.payload, dict) else {}
        errors = FormErrors()
        _thread_fields(payload, errors)
        if errors:
            return json_response(400, errors.body())
        if "thread" in msg.wire:
            return error(*THREAD_EXISTS)
        thread = self._new_thread(channel, payload, thread_id=msg.id)  # the message's id
        msg.wire["thread"] = thread.thread_wire()
        msg.wire["flags"] = int(msg.wire.get("flags") or 0) | MESSAGE_HAS_THREAD
        await self._created(thread)
        await self.fake.gateway.dispatch(
            "MESSAGE_UPDATE", self.rest._gateway_message(msg), intent=INTENT_GUILD_MESSAGES
        )
        return json_response(201, thread.thread_wire())

    async def active_threads(self, request: web.Request, p: dict[str, str]) -> web.Response:
        from .rest import UNKNOWN_GUILD, error, json_response

        guild = self.world.guilds.get(_int(p["guild_id"]))
        if guild is None:
            return error(*UNKNOWN_GUILD)
        threads = [t.thread_wire() for t in self.world.active_threads(guild.id)]
        return json_response(200, {"threads": threads, "members": []})

    async def archived_threads(self, request: web.Request, p: dict[str, str]) -> web.Response:
        from .rest import UNKNOWN_CHANNEL, _form_error, error, json_response

        channel = self.world.live_channel(_int(p["channel_id"]))
        if channel is None:
            return error(*UNKNOWN_CHANNEL)
        limit = _int(request.query.get("limit", 50))
        if not 2 <= limit <= 100:
            message = "int value should be <= 100 and >= 2."
            return _form_error(("limit",), "NUMBER_TYPE_MAX", message)
        archived = [
            c for c in self.world.channels.values()
            if c.parent_id == channel.id and c.type == PUBLIC_THREAD and c.archived
            and not c.deleted
        ]  # fmt: skip
        archived.sort(key=lambda c: c.archive_timestamp, reverse=True)
        before = request.query.get("before")
        if before:
            archived = [c for c in archived if c.archive_timestamp < before]
        page = archived[:limit]
        return json_response(200, {"threads": [t.thread_wire() for t in page], "members": [],
                                   "has_more": len(archived) > limit})  # fmt: skip

    async def _created(self, thread: Channel) -> None:
        await self.fake.gateway.dispatch(
            "THREAD_CREATE", {**thread.thread_wire(), "newly_created": True}
        )
        await self.world.notify()
