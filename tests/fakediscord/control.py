"""HTTP control API under /_control/ (JSON in, JSON out). Every route maps onto a
FakeDiscord method, so a test in another process (or a person with curl) can do what an
in-process test does. Snowflakes are returned as strings, as Discord does.

    GET    /_control/state                          overview: bot user, guilds, config, gateway
    PATCH  /_control/config                         {"interaction_deadline": 0.5, ...}
    POST   /_control/clock/advance                  {"seconds": 901}
    POST   /_control/guilds                         {"name", "channels": [...], "shard": [id, n]?}
    POST   /_control/guilds/{gid}/channels          {"name"}
    POST   /_control/guilds/{gid}/forums            {"name", "tags": [...], "require_tag": false}
    PATCH  /_control/channels/{cid}                 {"can_send": false, "can_thread": false}
    GET    /_control/channels/{cid}/threads         its threads (forum posts), with messages
    DELETE /_control/channels/{cid}
    GET    /_control/channels/{cid}/messages        ?wait=5&count=1
    POST   /_control/channels/{cid}/messages        a user posts {"content", "user_id", ...}
    GET    /_control/messages/{mid}
    GET    /_control/attachments/{aid}              the raw bytes
    POST   /_control/users                          {"username"}
    POST   /_control/interactions/slash             {"name", "options", "channel_id", "user_id",
                                 "attachments": {"opt": {"filename", "data_b64"|"text"}}}
    POST   /_control/interactions/message           {"name", "message_id" | "content",
                                                     "attachments", "embeds", ...}
    GET    /_control/interactions                   all interactions
    GET    /_control/interactions/{iid}             ?wait=5&until=replied|acknowledged
    GET    /_control/commands                       ?guild_id=
    GET    /_control/faults
    POST   /_control/faults                         {"method", "path", "kind", "count", "status",
                                                     "retry_after", "hang_seconds", "global"}
    DELETE /_control/faults
    GET    /_control/gateway                        connections, heartbeats/acks, session
    POST   /_control/gateway/reconnect | /drop | /invalidate
    GET    /_control/requests                       ?method=POST&path=^/channels
    GET    /_control/unhandled                      REST calls no route matched
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from .server import FakeDiscord


def _json(data: Any, status: int = 200) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps(data, ensure_ascii=False, default=str).encode(),
        headers={"Content-Type": "application/json"},
    )


def _ids(value: Any) -> Any:
    """Snowflakes out as strings (JS clients and JSON both keep them exact)."""
    if isinstance(value, dict):
        return {
            k: str(v) if _is_int(v) and (k.endswith("id") or v > 2**40) else _ids(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_ids(v) for v in value]
    if _is_int(value) and value > 2**40:
        return str(value)
    return value


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def add_control_routes(app: web.Application, fake: FakeDiscord) -> None:
    from .server import ControlError

    Handler = Callable[[web.Request], Awaitable[Any]]

    def route(method: str, path: str) -> Callable[[Handler], Handler]:
        def deco(fn: Handler) -> Handler:
            async def wrapper(request: web.Request) -> web.Response:
                try:
                    result = await fn(request)
                except ControlError as exc:
                    return _json({"error": exc.message}, exc.status)
                except (KeyError, ValueError, TypeError) as exc:
                    return _json({"error": f"bad request: {exc!r}"}, 400)
                if isinstance(result, web.Response):
                    return result
                return _json(_ids(result))

            app.router.add_route(method, "/_control" + path, wrapper)
            return fn

        return deco

    async def body(request: web.Request) -> dict[str, Any]:
        raw = await request.read()
        return json.loads(raw) if raw else {}

    def opt_int(value: Any) -> int | None:
        return None if value in (None, "") else int(value)

    @route("GET", "/state")
    async def state(request: web.Request) -> Any:
        return fake.state()

    @route("GET", "/config")
    async def get_config(request: web.Request) -> Any:
        return fake.config.view()

    @route("PATCH", "/config")
    async def patch_config(request: web.Request) -> Any:
        return fake.configure(**await body(request))

    @route("POST", "/clock/advance")
    async def advance(request: web.Request) -> Any:
        fake.advance_clock(float((await body(request))["seconds"]))
        return {"offset": fake.world.clock.offset}

    @route("POST", "/guilds")
    async def create_guild(request: web.Request) -> Any:
        b = await body(request)
        shard = b.get("shard")  # [id, count]: a guild on that shard
        return await fake.create_guild(
            b.get("name", "Test Guild"), b.get("channels"), opt_int(b.get("id")),
            shard=(int(shard[0]), int(shard[1])) if shard else None,
        )  # fmt: skip

    @route("POST", "/guilds/{gid}/channels")
    async def create_channel(request: web.Request) -> Any:
        b = await body(request)
        cid = await fake.create_channel(int(request.match_info["gid"]), b.get("name", "channel"))
        return {"id": cid}

    @route("POST", "/guilds/{gid}/roles")
    async def create_role(request: web.Request) -> Any:
        b = await body(request)
        rid = await fake.create_role(
            int(request.match_info["gid"]), b.get("name", "role"),
            mentionable=bool(b.get("mentionable")),
        )  # fmt: skip
        return {"id": rid}

    @route("PATCH", "/channels/{cid}")
    async def patch_channel(request: web.Request) -> Any:
        b = await body(request)
        cid = int(request.match_info["cid"])
        await fake.set_channel_permission(
            cid,
            bool(b["can_send"]) if "can_send" in b else None,
            can_thread=bool(b["can_thread"]) if "can_thread" in b else None,
        )
        channel = fake.world.channels[cid]
        return {"id": cid, "can_send": channel.can_send, "can_thread": channel.can_thread}

    @route("POST", "/guilds/{gid}/forums")
    async def create_forum(request: web.Request) -> Any:
        b = await body(request)
        return await fake.create_forum(
            int(request.match_info["gid"]), b.get("name", "forum"), b.get("tags"),
            require_tag=bool(b.get("require_tag", False)),
        )  # fmt: skip

    @route("GET", "/channels/{cid}/threads")
    async def channel_threads(request: web.Request) -> Any:
        return fake.threads(int(request.match_info["cid"]))

    @route("DELETE", "/channels/{cid}")
    async def delete_channel(request: web.Request) -> Any:
        await fake.delete_channel(int(request.match_info["cid"]))
        return {"deleted": True}

    @route("GET", "/channels/{cid}/messages")
    async def channel_messages(request: web.Request) -> Any:
        cid = int(request.match_info["cid"])
        wait = float(request.query.get("wait", 0))
        if wait:
            return await fake.wait_for_messages(cid, int(request.query.get("count", 1)), wait)
        return fake.channel_messages(
            cid, include_deleted=request.query.get("include_deleted") == "1"
        )

    @route("POST", "/channels/{cid}/messages")
    async def user_message(request: web.Request) -> Any:
        b = await body(request)
        return await fake.post_user_message(
            int(request.match_info["cid"]),
            b.get("content", ""),
            user_id=opt_int(b.get("user_id")),
            embeds=b.get("embeds"),
            attachments=b.get("attachments"),
        )

    @route("GET", "/messages/{mid}")
    async def message(request: web.Request) -> Any:
        return fake.message(int(request.match_info["mid"]))

    @route("GET", "/attachments/{aid}")
    async def attachment(request: web.Request) -> Any:
        att = fake.world.attachments.get(int(request.match_info["aid"]))
        if att is None:
            raise ControlError(404, "no such attachment")
        return web.Response(body=att.data, headers={"Content-Type": att.content_type})

    @route("POST", "/users")
    async def add_user(request: web.Request) -> Any:
        b = await body(request)
        return {"id": fake.add_user(b.get("username", "user"), opt_int(b.get("id")))}

    @route("POST", "/interactions/slash")
    async def slash(request: web.Request) -> Any:
        b = await body(request)
        return await fake.fire_slash_command(
            b["name"],
            b.get("options"),
            channel_id=opt_int(b.get("channel_id")),
            user_id=opt_int(b.get("user_id")),
            member_permissions=int(b.get("member_permissions", (1 << 51) - 1)),
            attachments=b.get("attachments"),
            require_synced=bool(b.get("require_synced", True)),
        )

    @route("POST", "/interactions/message")
    async def message_command(request: web.Request) -> Any:
        b = await body(request)
        return await fake.fire_message_command(
            b["name"],
            message_id=opt_int(b.get("message_id")),
            content=b.get("content", ""),
            embeds=b.get("embeds"),
            attachments=b.get("attachments"),
            author_id=opt_int(b.get("author_id")),
            channel_id=opt_int(b.get("channel_id")),
            user_id=opt_int(b.get("user_id")),
            member_permissions=int(b.get("member_permissions", (1 << 51) - 1)),
            require_synced=bool(b.get("require_synced", True)),
        )

    @route("GET", "/interactions")
    async def interactions(request: web.Request) -> Any:
        return fake.interactions()

    @route("GET", "/interactions/{iid}")
    async def interaction(request: web.Request) -> Any:
        iid = int(request.match_info["iid"])
        wait = float(request.query.get("wait", 0))
        if wait:
            return await fake.wait_for_interaction(
                iid, until=request.query.get("until", "replied"), timeout=wait
            )
        return fake.interaction(iid)

    @route("GET", "/commands")
    async def commands(request: web.Request) -> Any:
        gid = request.query.get("guild_id")
        if gid:
            return fake.synced_commands(int(gid))
        return {
            "global": fake.synced_commands(),
            "guilds": {str(g): c for g, c in fake.world.guild_commands.items()},
        }

    @route("GET", "/faults")
    async def faults(request: web.Request) -> Any:
        return fake.faults()

    @route("POST", "/faults")
    async def add_fault(request: web.Request) -> Any:
        b = await body(request)
        return fake.inject_fault(
            b.get("method", "*"),
            b.get("path", ".*"),
            kind=b.get("kind", "ratelimit"),
            count=int(b.get("count", 1)),
            status=int(b.get("status", 500)),
            retry_after=float(b.get("retry_after", 0.1)),
            hang_seconds=float(b.get("hang_seconds", 5.0)),
            is_global=bool(b.get("global", False)),
        )

    @route("DELETE", "/faults")
    async def clear_faults(request: web.Request) -> Any:
        fake.clear_faults()
        return {"cleared": True}

    @route("GET", "/gateway")
    async def gateway(request: web.Request) -> Any:
        wait = float(request.query.get("wait_connected", 0))
        if wait:
            await fake.wait_until_connected(wait)
        return fake.gateway_state()

    @route("POST", "/gateway/reconnect")
    async def reconnect(request: web.Request) -> Any:
        return {"sent": await fake.request_reconnect()}

    @route("POST", "/gateway/drop")
    async def drop(request: web.Request) -> Any:
        b = await body(request)
        return {"closed": await fake.drop_gateway(int(b.get("code", 4000)))}

    @route("POST", "/gateway/invalidate")
    async def invalidate(request: web.Request) -> Any:
        b = await body(request)
        return {"sent": await fake.invalidate_session(bool(b.get("resumable", False)))}

    @route("GET", "/requests")
    async def requests(request: web.Request) -> Any:
        return fake.requests(request.query.get("method"), request.query.get("path"))

    @route("GET", "/unhandled")
    async def unhandled(request: web.Request) -> Any:
        return fake.unhandled_requests()
