"""REST API under /api/v{N}: the routes discord.py calls for a bot that answers interactions
and posts to channels. Anything else answers 404 and is recorded in ``unhandled``."""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, web

from .limits import validate_message
from .model import (
    FLAG_EPHEMERAL,
    FLAG_LOADING,
    INTENT_GUILD_MESSAGES,
    Interaction,
    StoredAttachment,
    StoredMessage,
)

if TYPE_CHECKING:
    from .server import FakeDiscord

JSON_CT = "application/json"  # exactly; discord.py compares the header verbatim
NONCE_MAX = 25

Handler = Callable[[web.Request, dict[str, str]], Awaitable[web.StreamResponse]]


def json_response(status: int, data: Any, headers: dict[str, str] | None = None) -> web.Response:
    hdrs = {"Content-Type": JSON_CT}
    if headers:
        hdrs.update(headers)
    return web.Response(
        status=status, body=json.dumps(data, ensure_ascii=False).encode(), headers=hdrs
    )


def error(status: int, code: int, message: str, **extra: Any) -> web.Response:
    return json_response(status, {"message": message, "code": code, **extra})


def no_content() -> web.Response:
    return web.Response(status=204)


UNKNOWN_INTERACTION = (404, 10062, "Unknown interaction")
ALREADY_ACKED = (400, 40060, "Interaction has already been acknowledged.")
UNKNOWN_WEBHOOK = (404, 10015, "Unknown Webhook")
INVALID_WEBHOOK_TOKEN = (401, 50027, "Invalid Webhook Token")
UNKNOWN_MESSAGE = (404, 10008, "Unknown Message")
UNKNOWN_CHANNEL = (404, 10003, "Unknown Channel")
UNKNOWN_GUILD = (404, 10004, "Unknown Guild")
UNKNOWN_USER = (404, 10013, "Unknown User")
UNKNOWN_APPLICATION = (404, 10002, "Unknown Application")
UNKNOWN_COMMAND = (404, 10063, "Unknown application command")
MISSING_PERMISSIONS = (403, 50013, "Missing Permissions")
UNAUTHORIZED = (401, 0, "401: Unauthorized")


@dataclass
class Route:
    method: str
    regex: re.Pattern[str]
    handler: Handler
    auth: bool
    template: str


@dataclass
class Body:
    payload: Any
    files: list[tuple[int, str, str, bytes]]  # (index, filename, content_type, data)


async def read_body(request: web.Request) -> Body:
    ctype = request.headers.get("Content-Type", "")
    if ctype.startswith("multipart/"):
        payload: Any = {}
        files: list[tuple[int, str, str, bytes]] = []
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader):
                continue
            name = part.name or ""
            data = await part.read(decode=False)
            if name == "payload_json":
                payload = json.loads(data.decode("utf-8"))
            else:
                m = re.fullmatch(r"files\[(\d+)\]|file(\d*)", name)
                index = int((m.group(1) or m.group(2) or len(files)) if m else len(files))
                files.append(
                    (
                        index,
                        part.filename or f"file{index}",
                        part.headers.get("Content-Type", "application/octet-stream"),
                        bytes(data),
                    )
                )
        return Body(payload, files)
    raw = await request.read()
    if not raw:
        return Body({}, [])
    return Body(json.loads(raw), [])


class RestApi:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.world = fake.world
        self.routes: list[Route] = []
        self._nonces: dict[tuple[int, str], int] = {}
        r = self._add
        r("GET", "/users/@me", self.get_me)
        r("GET", "/users/{user_id}", self.get_user)
        r("GET", "/oauth2/applications/@me", self.get_application)
        r("GET", "/applications/@me", self.get_application)
        r("GET", "/gateway", self.get_gateway, auth=False)
        r("GET", "/gateway/bot", self.get_gateway_bot)
        for prefix in ("/applications/{app_id}", "/applications/{app_id}/guilds/{guild_id}"):
            r("GET", prefix + "/commands", self.get_commands)
            r("PUT", prefix + "/commands", self.put_commands)
            r("POST", prefix + "/commands", self.post_command)
            r("GET", prefix + "/commands/{command_id}", self.get_command)
            r("PATCH", prefix + "/commands/{command_id}", self.patch_command)
            r("DELETE", prefix + "/commands/{command_id}", self.delete_command)
        r(
            "POST",
            "/interactions/{interaction_id}/{token}/callback",
            self.interaction_callback,
            auth=False,
        )
        r("POST", "/webhooks/{app_id}/{token}", self.execute_webhook, auth=False)
        r(
            "GET",
            "/webhooks/{app_id}/{token}/messages/{message_id}",
            self.get_webhook_message,
            auth=False,
        )
        r(
            "PATCH",
            "/webhooks/{app_id}/{token}/messages/{message_id}",
            self.edit_webhook_message,
            auth=False,
        )
        r(
            "DELETE",
            "/webhooks/{app_id}/{token}/messages/{message_id}",
            self.delete_webhook_message,
            auth=False,
        )
        r("GET", "/channels/{channel_id}", self.get_channel)
        r("POST", "/channels/{channel_id}/messages", self.create_message)
        r("GET", "/channels/{channel_id}/messages", self.list_messages)
        r("GET", "/channels/{channel_id}/messages/{message_id}", self.get_message)
        r("PATCH", "/channels/{channel_id}/messages/{message_id}", self.edit_message)
        r("DELETE", "/channels/{channel_id}/messages/{message_id}", self.delete_message)
        r("POST", "/channels/{channel_id}/typing", self.typing)
        r("GET", "/guilds/{guild_id}", self.get_guild)
        r("GET", "/guilds/{guild_id}/channels", self.get_guild_channels)
        r("GET", "/guilds/{guild_id}/members/{user_id}", self.get_member)
        from .threads import ThreadsApi

        self.threads = ThreadsApi(self)
        self.threads.add_routes()

    def _add(self, method: str, template: str, handler: Handler, *, auth: bool = True) -> None:
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
        self.routes.append(Route(method, re.compile(f"^{pattern}$"), handler, auth, template))

    # --- entry point --------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        m = re.match(r"^/api(?:/v\d+)?(/.*)$", request.path)
        path = m.group(1) if m else request.path
        started = time.time()
        entry: dict[str, Any] = {
            "method": request.method,
            "path": path,
            "at": started,
            "status": None,
        }
        self.world.requests.append(entry)
        del self.world.requests[:-5000]
        response = await self._route(request, path, entry)
        entry["status"] = response.status
        entry["duration"] = time.time() - started
        await self.world.notify()
        return response

    async def _route(
        self, request: web.Request, path: str, entry: dict[str, Any]
    ) -> web.StreamResponse:
        fault_response = await self._apply_faults(request.method, path, entry)
        if fault_response is not None:
            return fault_response
        for route in self.routes:
            if route.method != request.method:
                continue
            match = route.regex.match(path)
            if match is None:
                continue
            entry["route"] = f"{route.method} {route.template}"
            if (
                route.auth
                and request.headers.get("Authorization") != f"Bot {self.fake.config.token}"
            ):
                return error(*UNAUTHORIZED)
            try:
                response = await route.handler(request, match.groupdict())
            except json.JSONDecodeError:
                response = error(400, 50109, "The request body contains invalid JSON.")
            self._ratelimit_headers(response, route.template)
            if entry.get("fail_after") and response.status < 300:
                # The request took effect, but Discord answers an error (a 5xx after the
                # write): the client cannot tell whether it happened.
                failed = {"message": "Server Error", "code": 0}
                response = json_response(entry["fail_after"], failed)
            if entry.get("slow_response"):
                # The request took effect, but its answer is late: a client killed in this
                # window never learns that its message exists.
                await asyncio.sleep(entry["slow_response"])
            return response
        self.world.unhandled.append({"method": request.method, "path": path, "at": time.time()})
        return error(404, 0, "404: Not Found")

    @staticmethod
    def _bucket(template: str) -> str:
        return hashlib.md5(template.encode()).hexdigest()[:16]

    def _ratelimit_headers(self, response: web.StreamResponse, template: str) -> None:
        if response.status == 429:
            return
        now = time.time()
        response.headers.update(
            {
                "X-RateLimit-Limit": "50",
                "X-RateLimit-Remaining": "49",
                "X-RateLimit-Reset": f"{now + 1:.3f}",
                "X-RateLimit-Reset-After": "1.000",
                "X-RateLimit-Bucket": self._bucket(template),
            }
        )

    async def _apply_faults(
        self, method: str, path: str, entry: dict[str, Any]
    ) -> web.StreamResponse | None:
        for fault in self.world.faults:
            if not fault.matches(method, path):
                continue
            fault.remaining -= 1
            fault.hits += 1
            entry["fault"] = fault.kind
            if fault.kind == "hang":
                await asyncio.sleep(fault.hang_seconds)
                return None
            if fault.kind == "slow_response":
                entry["slow_response"] = fault.hang_seconds
                return None
            if fault.kind == "fail_after":
                entry["fail_after"] = fault.status
                return None
            if fault.kind == "ratelimit":
                now = time.time()
                headers = {
                    "Retry-After": str(max(1, math.ceil(fault.retry_after))),
                    "X-RateLimit-Limit": "5",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": f"{now + fault.retry_after:.3f}",
                    "X-RateLimit-Reset-After": f"{fault.retry_after:.3f}",
                    "X-RateLimit-Bucket": self._bucket(path),
                    "X-RateLimit-Scope": "global" if fault.is_global else "user",
                    # discord.py treats a 429 without `Via` as a Cloudflare ban and raises at once.
                    "Via": "1.1 google",
                }
                if fault.is_global:
                    headers["X-RateLimit-Global"] = "true"
                body = {
                    "message": "You are being rate limited.",
                    "retry_after": fault.retry_after,
                    "global": fault.is_global,
                }
                if fault.is_global:
                    body["code"] = 0
                return json_response(429, body, headers)
            names = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
            return json_response(
                fault.status, {"message": names.get(fault.status, "Server Error"), "code": 0}
            )
        return None

    # --- identity -------------------------------------------------------------------------

    async def get_me(self, request: web.Request, p: dict[str, str]) -> web.Response:
        return json_response(200, self.world.bot_user)

    async def get_user(self, request: web.Request, p: dict[str, str]) -> web.Response:
        user = self.world.users.get(_int(p["user_id"]))
        return json_response(200, user) if user else error(*UNKNOWN_USER)

    async def get_application(self, request: web.Request, p: dict[str, str]) -> web.Response:
        w = self.world
        owner = w.users[w.default_user_id]
        return json_response(
            200,
            {
                "id": str(w.application_id),
                "name": w.bot_user["username"],
                "icon": None,
                "description": "Loopback Discord emulator application",
                "summary": "",
                "type": None,
                "hook": True,
                "bot_public": False,
                "bot_require_code_grant": False,
                "verify_key": "0" * 64,
                "owner": owner,
                "team": None,
                "flags": 0,
                "bot": w.bot_user,
                "interactions_endpoint_url": None,
                "redirect_uris": [],
                "tags": [],
                "approximate_guild_count": len(w.guilds),
                "integration_types_config": {"0": {}},
            },
        )

    async def get_gateway(self, request: web.Request, p: dict[str, str]) -> web.Response:
        return json_response(200, {"url": self.fake.gateway_url})

    async def get_gateway_bot(self, request: web.Request, p: dict[str, str]) -> web.Response:
        return json_response(
            200,
            {
                "url": self.fake.gateway_url,
                "shards": self.fake.config.recommended_shards,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 14400000,
                    "max_concurrency": 1,
                },
            },
        )

    # --- application commands ----------------------------------------------------------

    def _command_scope(self, p: dict[str, str]) -> tuple[int | None, web.Response | None]:
        if _int(p["app_id"]) != self.world.application_id:
            return None, error(*UNKNOWN_APPLICATION)
        if "guild_id" in p:
            gid = _int(p["guild_id"])
            if gid not in self.world.guilds:
                return None, error(403, 50001, "Missing Access")
            return gid, None
        return None, None

    def _commands(self, guild_id: int | None) -> list[dict[str, Any]]:
        return (
            self.world.guild_commands.get(guild_id, []) if guild_id else self.world.global_commands
        )

    async def get_commands(self, request: web.Request, p: dict[str, str]) -> web.Response:
        gid, err = self._command_scope(p)
        return err or json_response(200, self._commands(gid))

    async def put_commands(self, request: web.Request, p: dict[str, str]) -> web.Response:
        gid, err = self._command_scope(p)
        if err:
            return err
        body = await read_body(request)
        if not isinstance(body.payload, list):
            return error(400, 50035, "Invalid Form Body")
        problems = _check_commands(body.payload)
        if problems:
            return json_response(
                400, {"message": "Invalid Form Body", "code": 50035, "errors": problems}
            )
        stored = self.world.store_commands(gid, body.payload)
        return json_response(200, stored)

    async def post_command(self, request: web.Request, p: dict[str, str]) -> web.Response:
        gid, err = self._command_scope(p)
        if err:
            return err
        body = await read_body(request)
        existing = [c for c in self._commands(gid) if c["name"] != body.payload.get("name")]
        stored = self.world.store_commands(gid, existing + [body.payload])
        return json_response(201, stored[-1])

    async def get_command(self, request: web.Request, p: dict[str, str]) -> web.Response:
        gid, err = self._command_scope(p)
        if err:
            return err
        for cmd in self._commands(gid):
            if cmd["id"] == p["command_id"]:
                return json_response(200, cmd)
        return error(*UNKNOWN_COMMAND)

    async def patch_command(self, request: web.Request, p: dict[str, str]) -> web.Response:
        gid, err = self._command_scope(p)
        if err:
            return err
        body = await read_body(request)
        cmds = self._commands(gid)
        for cmd in cmds:
            if cmd["id"] == p["command_id"]:
                cmd.update(body.payload)
                return json_response(200, cmd)
        return error(*UNKNOWN_COMMAND)

    async def delete_command(self, request: web.Request, p: dict[str, str]) -> web.Response:
        gid, err = self._command_scope(p)
        if err:
            return err
        cmds = self._commands(gid)
        for cmd in list(cmds):
            if cmd["id"] == p["command_id"]:
                cmds.remove(cmd)
                return no_content()
        return error(*UNKNOWN_COMMAND)

    # --- interactions ----------------------------------------------------------------------

    def _attachments_from(self, body: Body) -> list[StoredAttachment]:
        descriptions = {}
        payload = body.payload if isinstance(body.payload, dict) else {}
        data = payload.get("data") if isinstance(payload.get("data"), dict) else payload
        for att in (data or {}).get("attachments") or []:
            if isinstance(att, dict):
                descriptions[str(att.get("id"))] = att.get("description")
        return [
            self.world.add_attachment(name, data_, ctype, descriptions.get(str(index)))
            for index, name, ctype, data_ in body.files
        ]

    async def interaction_callback(self, request: web.Request, p: dict[str, str]) -> web.Response:
        w = self.world
        inter = w.interactions.get(_int(p["interaction_id"]))
        if inter is None or inter.token != p["token"] or inter.dispatched_clock is None:
            return error(*UNKNOWN_INTERACTION)
        age = w.clock() - inter.dispatched_clock
        if inter.initial is not None:
            inter.errors.append({"route": "callback", "code": 40060, "age": age})
            return error(*ALREADY_ACKED)
        if age > self.fake.config.interaction_deadline:
            inter.errors.append(
                {"route": "callback", "code": 10062, "age": age, "reason": "deadline"}
            )
            return error(*UNKNOWN_INTERACTION)
        body = await read_body(request)
        payload = body.payload if isinstance(body.payload, dict) else {}
        rtype = payload.get("type")
        data = payload.get("data") or {}
        if rtype not in (1, 4, 5, 6, 7, 8, 9, 10, 12):
            return _form_error(
                ("type",), "BASE_TYPE_CHOICES", "Value must be one of {4, 5, 6, 7, 8, 9}."
            )
        if rtype in (6, 7) and inter.type == 2:
            return error(
                400, 40043, "Interaction response type is only valid for component interactions."
            )
        if rtype == 4:
            problem = validate_message(data, n_files=len(body.files))
            if problem:
                inter.errors.append(
                    {"route": "callback", "code": problem[1]["code"], "body": problem[1]}
                )
                return json_response(*problem)
        if rtype not in (4, 5):
            # Autocomplete results, modals, premium: record only.
            inter.initial = {
                "type": rtype,
                "data": data,
                "ephemeral": False,
                "at": time.time(),
                "age": age,
            }
            await w.notify()
            return self._callback_reply(request, inter, rtype, None)
        ephemeral = bool(int(data.get("flags") or 0) & FLAG_EPHEMERAL)
        channel = w.channels[inter.channel_id]
        attachments = self._attachments_from(body)
        msg_payload = data if rtype == 4 else {"flags": data.get("flags") or 0}
        wire = w.build_message(
            channel,
            msg_payload,
            author=w.bot_user,
            attachments=attachments,
            message_type=20 if inter.kind == "slash" else 23,
            flags=FLAG_LOADING if rtype == 5 else 0,
            interaction=inter,
        )
        msg = StoredMessage(
            wire=wire,
            channel_id=channel.id,
            source="interaction",
            allowed_mentions=data.get("allowed_mentions"),
            interaction_id=inter.id,
        )
        w.store_message(msg)
        inter.original_id = msg.id
        inter.initial = {
            "type": rtype,
            "data": data,
            "ephemeral": ephemeral,
            "at": time.time(),
            "age": age,
            "message_id": str(msg.id),
            "files": [a.filename for a in attachments],
        }
        if rtype == 4:
            inter.replied = True
        if not ephemeral:
            await self.fake.gateway.dispatch(
                "MESSAGE_CREATE", self._gateway_message(msg), intent=INTENT_GUILD_MESSAGES
            )
        await w.notify()
        return self._callback_reply(request, inter, rtype, msg)

    def _callback_reply(
        self, request: web.Request, inter: Interaction, rtype: int, msg: StoredMessage | None
    ) -> web.Response:
        if request.query.get("with_response", "").lower() not in ("1", "true"):
            return no_content()
        out: dict[str, Any] = {
            "interaction": {
                "id": str(inter.id),
                "type": inter.type,
                "response_message_loading": rtype == 5,
                "response_message_ephemeral": bool(msg and msg.ephemeral),
            }
        }
        if msg is not None:
            out["interaction"]["response_message_id"] = str(msg.id)
            out["resource"] = {"type": rtype, "message": msg.wire}
        return json_response(200, out)

    def _webhook_interaction(
        self, p: dict[str, str]
    ) -> tuple[Interaction | None, web.Response | None]:
        w = self.world
        inter = w.interaction_by_token(p["token"])
        if inter is None or _int(p["app_id"]) != w.application_id:
            return None, error(*UNKNOWN_WEBHOOK)
        assert inter.dispatched_clock is not None
        if w.clock() - inter.dispatched_clock > self.fake.config.token_lifetime:
            inter.errors.append({"route": "webhook", "code": 50027, "reason": "token expired"})
            return None, error(*INVALID_WEBHOOK_TOKEN)
        if inter.initial is None:
            # The interaction webhook only exists once the interaction has been acknowledged.
            inter.errors.append({"route": "webhook", "code": 10015, "reason": "not acknowledged"})
            return None, error(*UNKNOWN_WEBHOOK)
        return inter, None

    async def execute_webhook(self, request: web.Request, p: dict[str, str]) -> web.Response:
        w = self.world
        inter, err = self._webhook_interaction(p)
        if err:
            return err
        assert inter is not None
        body = await read_body(request)
        payload = body.payload if isinstance(body.payload, dict) else {}
        problem = validate_message(payload, n_files=len(body.files))
        if problem:
            inter.errors.append(
                {"route": "followup", "code": problem[1]["code"], "body": problem[1]}
            )
            return json_response(*problem)
        attachments = self._attachments_from(body)
        original = w.messages.get(inter.original_id) if inter.original_id else None
        if (
            original is not None
            and not original.deleted
            and int(original.wire.get("flags") or 0) & FLAG_LOADING
        ):
            # Discord: the first follow-up after a deferral replaces the "thinking..." message
            # (and keeps the deferral's ephemeral flag); once that message is deleted, a
            # follow-up is a new message with its own flags.
            edit = {
                k: v
                for k, v in payload.items()
                if k in ("content", "embeds", "components", "allowed_mentions")
            }
            edit.setdefault("content", payload.get("content") or "")
            w.apply_edit(original, edit, attachments)
            original.edits.clear()
            msg = original
            if not msg.ephemeral:
                await self.fake.gateway.dispatch(
                    "MESSAGE_UPDATE", self._gateway_message(msg), intent=INTENT_GUILD_MESSAGES
                )
        else:
            channel = w.channels[inter.channel_id]
            wire = w.build_message(
                channel,
                payload,
                author=w.bot_user,
                attachments=attachments,
                message_type=0,
                interaction=inter,
            )
            msg = StoredMessage(
                wire=wire,
                channel_id=channel.id,
                source="followup",
                allowed_mentions=payload.get("allowed_mentions"),
                interaction_id=inter.id,
            )
            w.store_message(msg)
            if not msg.ephemeral:
                await self.fake.gateway.dispatch(
                    "MESSAGE_CREATE", self._gateway_message(msg), intent=INTENT_GUILD_MESSAGES
                )
        inter.followup_ids.append(msg.id)
        inter.replied = True
        await w.notify()
        if request.query.get("wait", "").lower() in ("1", "true"):
            return json_response(200, msg.wire)
        return no_content()

    def _webhook_message(self, inter: Interaction, message_id: str) -> StoredMessage | None:
        w = self.world
        mid = inter.original_id if message_id == "@original" else _int(message_id)
        if mid is None or (mid != inter.original_id and mid not in inter.followup_ids):
            return None
        msg = w.messages.get(mid)
        return None if msg is None or msg.deleted else msg

    async def get_webhook_message(self, request: web.Request, p: dict[str, str]) -> web.Response:
        inter, err = self._webhook_interaction(p)
        if err:
            return err
        assert inter is not None
        msg = self._webhook_message(inter, p["message_id"])
        return json_response(200, msg.wire) if msg else error(*UNKNOWN_MESSAGE)

    async def edit_webhook_message(self, request: web.Request, p: dict[str, str]) -> web.Response:
        inter, err = self._webhook_interaction(p)
        if err:
            return err
        assert inter is not None
        msg = self._webhook_message(inter, p["message_id"])
        if msg is None:
            return error(*UNKNOWN_MESSAGE)
        body = await read_body(request)
        payload = body.payload if isinstance(body.payload, dict) else {}
        problem = validate_message(payload, n_files=len(body.files), require_content=False)
        if problem:
            inter.errors.append({"route": "edit", "code": problem[1]["code"], "body": problem[1]})
            return json_response(*problem)
        was_loading = bool(int(msg.wire.get("flags") or 0) & FLAG_LOADING)
        self.world.apply_edit(msg, payload, self._attachments_from(body))
        if was_loading:
            msg.edits.clear()  # replacing the "thinking..." placeholder is not a user-visible edit
        inter.edits.append(
            {
                "message_id": str(msg.id),
                "original": msg.id == inter.original_id,
                "payload": payload,
                "at": time.time(),
            }
        )
        inter.replied = True
        if not msg.ephemeral:
            await self.fake.gateway.dispatch(
                "MESSAGE_UPDATE", self._gateway_message(msg), intent=INTENT_GUILD_MESSAGES
            )
        await self.world.notify()
        return json_response(200, msg.wire)

    async def delete_webhook_message(self, request: web.Request, p: dict[str, str]) -> web.Response:
        inter, err = self._webhook_interaction(p)
        if err:
            return err
        assert inter is not None
        msg = self._webhook_message(inter, p["message_id"])
        if msg is None:
            return error(*UNKNOWN_MESSAGE)
        msg.deleted = True
        await self.world.notify()
        return no_content()

    # --- channels -------------------------------------------------------------------------

    async def get_channel(self, request: web.Request, p: dict[str, str]) -> web.Response:
        channel = self.world.live_channel(_int(p["channel_id"]))
        return (
            json_response(200, channel.wire(self.world.bot_id))
            if channel
            else error(*UNKNOWN_CHANNEL)
        )

    def _gateway_message(self, msg: StoredMessage) -> dict[str, Any]:
        out = dict(msg.wire)
        session = self.fake.gateway.active_session()
        from .model import INTENT_MESSAGE_CONTENT

        if session is not None and not session.intents & INTENT_MESSAGE_CONTENT:
            mentioned = any(u["id"] == str(self.world.bot_id) for u in out.get("mentions", []))
            if msg.wire["author"]["id"] != str(self.world.bot_id) and not mentioned:
                out.update(content="", embeds=[], attachments=[], components=[])
        return out

    async def create_message(self, request: web.Request, p: dict[str, str]) -> web.Response:
        w = self.world
        channel = w.live_channel(_int(p["channel_id"]))
        if channel is None:
            return error(*UNKNOWN_CHANNEL)
        if not channel.can_send:
            return error(*MISSING_PERMISSIONS)
        body = await read_body(request)
        payload = body.payload if isinstance(body.payload, dict) else {}
        nonce = payload.get("nonce")
        if nonce is not None and len(str(nonce)) > NONCE_MAX:
            return _form_error(
                ("nonce",), "BASE_TYPE_MAX_LENGTH", f"Must be {NONCE_MAX} or fewer in length."
            )
        problem = validate_message(payload, n_files=len(body.files))
        if problem:
            return json_response(*problem)
        if nonce is not None and payload.get("enforce_nonce"):
            key = (channel.id, str(nonce))
            existing = w.messages.get(self._nonces.get(key, 0))
            if (
                existing is not None
                and w.clock() - existing.created_clock <= self.fake.config.nonce_window
            ):
                return json_response(200, existing.wire)
        wire = w.build_message(
            channel, payload, author=w.bot_user, attachments=self._attachments_from(body)
        )
        if payload.get("flags"):
            wire["flags"] = (
                int(payload["flags"]) & ~FLAG_EPHEMERAL
            )  # not allowed outside interactions
        msg = StoredMessage(
            wire=wire,
            channel_id=channel.id,
            source="channel",
            allowed_mentions=payload.get("allowed_mentions"),
            nonce=str(nonce) if nonce is not None else None,
        )
        w.store_message(msg)
        if nonce is not None:
            self._nonces[(channel.id, str(nonce))] = msg.id
        await self.fake.gateway.dispatch(
            "MESSAGE_CREATE", self._gateway_message(msg), intent=INTENT_GUILD_MESSAGES
        )
        await w.notify()
        return json_response(200, wire)

    async def list_messages(self, request: web.Request, p: dict[str, str]) -> web.Response:
        channel = self.world.live_channel(_int(p["channel_id"]))
        if channel is None:
            return error(*UNKNOWN_CHANNEL)
        msgs = self.world.channel_messages(channel.id)
        q = request.query
        try:
            limit = int(q.get("limit", 50))
        except ValueError:
            return _form_error(("limit",), "NUMBER_TYPE_COERCE", "Value is not int.")
        if not 1 <= limit <= 100:
            return _form_error(
                ("limit",), "NUMBER_TYPE_MAX", "int value should be <= 100 and >= 1."
            )
        if "before" in q:
            msgs = [m for m in msgs if m.id < _int(q["before"])]
        if "after" in q:
            msgs = [m for m in msgs if m.id > _int(q["after"])]
            return json_response(200, [m.wire for m in reversed(msgs[:limit])])
        return json_response(200, [m.wire for m in reversed(msgs[-limit:])])

    def _channel_message(self, p: dict[str, str]) -> StoredMessage | web.Response:
        channel = self.world.live_channel(_int(p["channel_id"]))
        if channel is None:
            return error(*UNKNOWN_CHANNEL)
        msg = self.world.messages.get(_int(p["message_id"]))
        if msg is None or msg.deleted or msg.channel_id != channel.id or msg.ephemeral:
            return error(*UNKNOWN_MESSAGE)
        return msg

    async def get_message(self, request: web.Request, p: dict[str, str]) -> web.Response:
        msg = self._channel_message(p)
        return msg if isinstance(msg, web.Response) else json_response(200, msg.wire)

    async def edit_message(self, request: web.Request, p: dict[str, str]) -> web.Response:
        msg = self._channel_message(p)
        if isinstance(msg, web.Response):
            return msg
        if msg.wire["author"]["id"] != str(self.world.bot_id):
            return error(403, 50005, "Cannot edit a message authored by another user")
        body = await read_body(request)
        payload = body.payload if isinstance(body.payload, dict) else {}
        problem = validate_message(payload, n_files=len(body.files), require_content=False)
        if problem:
            return json_response(*problem)
        self.world.apply_edit(msg, payload, self._attachments_from(body))
        await self.fake.gateway.dispatch(
            "MESSAGE_UPDATE", self._gateway_message(msg), intent=INTENT_GUILD_MESSAGES
        )
        await self.world.notify()
        return json_response(200, msg.wire)

    async def delete_message(self, request: web.Request, p: dict[str, str]) -> web.Response:
        msg = self._channel_message(p)
        if isinstance(msg, web.Response):
            return msg
        msg.deleted = True
        channel = self.world.channels[msg.channel_id]
        await self.fake.gateway.dispatch(
            "MESSAGE_DELETE",
            {"id": str(msg.id), "channel_id": str(channel.id), "guild_id": str(channel.guild_id)},
            intent=INTENT_GUILD_MESSAGES,
        )
        await self.world.notify()
        return no_content()

    async def typing(self, request: web.Request, p: dict[str, str]) -> web.Response:
        channel = self.world.live_channel(_int(p["channel_id"]))
        if channel is None:
            return error(*UNKNOWN_CHANNEL)
        return no_content()

    # --- guilds -----------------------------------------------------------------------------

    async def get_guild(self, request: web.Request, p: dict[str, str]) -> web.Response:
        guild = self.world.guilds.get(_int(p["guild_id"]))
        if guild is None:
            return error(*UNKNOWN_GUILD)
        data = self.world.guild_wire(guild)
        for key in (
            "channels",
            "members",
            "threads",
            "voice_states",
            "presences",
            "joined_at",
            "large",
        ):
            data.pop(key, None)
        return json_response(200, data)

    async def get_guild_channels(self, request: web.Request, p: dict[str, str]) -> web.Response:
        guild = self.world.guilds.get(_int(p["guild_id"]))
        if guild is None:
            return error(*UNKNOWN_GUILD)
        chans = [self.world.channels[c] for c in guild.channel_ids]
        return json_response(200, [c.wire(self.world.bot_id) for c in chans if not c.deleted])

    async def get_member(self, request: web.Request, p: dict[str, str]) -> web.Response:
        guild = self.world.guilds.get(_int(p["guild_id"]))
        if guild is None:
            return error(*UNKNOWN_GUILD)
        uid = _int(p["user_id"])
        if uid not in guild.member_ids:
            return error(404, 10007, "Unknown Member")
        return json_response(200, self.world.member_wire(guild, uid))


def _int(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def _form_error(path: tuple[str, ...], code: str, message: str) -> web.Response:
    from .limits import FormErrors

    errors = FormErrors()
    errors.add(path, code, message)
    return json_response(400, errors.body())


_NAME = re.compile(r"^[-_\w]{1,32}$")


def _check_commands(commands: list[dict[str, Any]]) -> dict[str, Any]:
    """The checks Discord applies to a bulk command overwrite that bots most often trip."""
    from .limits import FormErrors

    errors = FormErrors()
    seen: set[tuple[str, int]] = set()
    for i, cmd in enumerate(commands):
        ctype = int(cmd.get("type", 1))
        name = str(cmd.get("name", ""))
        if ctype == 1 and (not _NAME.match(name) or name != name.lower()):
            errors.add(
                (str(i), "name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"
            )
        if ctype != 1 and not 1 <= len(name) <= 32:
            errors.add(
                (str(i), "name"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length."
            )
        if ctype == 1 and not 1 <= len(str(cmd.get("description", ""))) <= 100:
            errors.add(
                (str(i), "description"),
                "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 100 in length.",
            )
        if (name, ctype) in seen:
            errors.add(
                (str(i), "name"),
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
                "Application command names must be unique",
            )
        seen.add((name, ctype))
        if len(cmd.get("options") or []) > 25:
            errors.add(
                (str(i), "options"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."
            )
    return errors.tree
