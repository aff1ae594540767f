"""ControlClient: drive a FakeDiscord running in another process (or thread) over its
HTTP control API. Method names and arguments mirror FakeDiscord's; snowflakes come back
as strings."""

from __future__ import annotations

import base64
from typing import Any

import aiohttp


class ControlAPIError(RuntimeError):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"fakediscord control API answered {status}: {body}")
        self.status = status
        self.body = body


def _attachment(spec: Any, default_name: str = "file.txt") -> dict[str, Any]:
    if isinstance(spec, bytes):
        return {"filename": default_name, "data_b64": base64.b64encode(spec).decode()}
    if isinstance(spec, tuple):
        return {"filename": spec[0], "data_b64": base64.b64encode(spec[1]).decode()}
    if isinstance(spec, str):
        return {"filename": default_name, "text": spec}
    if isinstance(spec, dict) and isinstance(spec.get("data"), bytes):
        out = {k: v for k, v in spec.items() if k != "data"}
        out["data_b64"] = base64.b64encode(spec["data"]).decode()
        return out
    return dict(spec)


class ControlClient:
    """``async with ControlClient("http://127.0.0.1:PORT") as ctl: await ctl.state()``"""

    def __init__(self, base_url: str, *, timeout: float = 30.0) -> None:
        base = base_url.rstrip("/")
        for suffix in ("/_control", "/api/v10"):
            if base.endswith(suffix):
                base = base[: -len(suffix)]
        self.base_url = base
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> ControlClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _call(
        self, method: str, path: str, json: Any = None, params: dict[str, Any] | None = None
    ) -> Any:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        clean = {k: str(v) for k, v in (params or {}).items() if v is not None}
        async with self._session.request(
            method, f"{self.base_url}/_control{path}", json=json, params=clean
        ) as r:
            if r.content_type == "application/json":
                data = await r.json()
            else:
                data = await r.read()
            if r.status >= 400:
                raise ControlAPIError(r.status, data)
            return data

    # setup
    async def state(self) -> dict[str, Any]:
        return await self._call("GET", "/state")

    async def configure(self, **values: Any) -> dict[str, Any]:
        return await self._call("PATCH", "/config", values)

    async def advance_clock(self, seconds: float) -> None:
        await self._call("POST", "/clock/advance", {"seconds": seconds})

    async def create_guild(
        self, name: str = "Test Guild", channels: list[str] | None = None
    ) -> dict[str, Any]:
        return await self._call("POST", "/guilds", {"name": name, "channels": channels})

    async def create_channel(self, guild_id: int | str, name: str) -> str:
        return (await self._call("POST", f"/guilds/{guild_id}/channels", {"name": name}))["id"]

    async def create_role(
        self, guild_id: int | str, name: str, *, mentionable: bool = False
    ) -> str:
        body = {"name": name, "mentionable": mentionable}
        return str((await self._call("POST", f"/guilds/{guild_id}/roles", body))["id"])

    async def set_channel_permission(
        self, channel_id: int | str, can_send: bool | None = None, *, can_thread: bool | None = None
    ) -> None:
        body: dict[str, bool] = {}
        if can_send is not None:
            body["can_send"] = can_send
        if can_thread is not None:
            body["can_thread"] = can_thread
        await self._call("PATCH", f"/channels/{channel_id}", body)

    async def create_forum(
        self, guild_id: int | str, name: str, tags: list[str] | None = None, *,
        require_tag: bool = False,
    ) -> dict[str, Any]:  # fmt: skip
        body = {"name": name, "tags": tags, "require_tag": require_tag}
        return await self._call("POST", f"/guilds/{guild_id}/forums", body)

    async def threads(self, channel_id: int | str) -> list[dict[str, Any]]:
        return await self._call("GET", f"/channels/{channel_id}/threads")

    async def delete_channel(self, channel_id: int | str) -> None:
        await self._call("DELETE", f"/channels/{channel_id}")

    async def add_user(self, username: str) -> str:
        return (await self._call("POST", "/users", {"username": username}))["id"]

    # user activity
    async def fire_slash_command(
        self,
        name: str,
        options: dict[str, Any] | list[dict[str, Any]] | None = None,
        *,
        channel_id: int | str | None = None,
        user_id: int | str | None = None,
        attachments: dict[str, Any] | None = None,
        member_permissions: int | None = None,
        require_synced: bool = True,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": name,
            "options": options,
            "channel_id": channel_id,
            "user_id": user_id,
            "require_synced": require_synced,
            "attachments": {k: _attachment(v, k) for k, v in (attachments or {}).items()},
        }
        if member_permissions is not None:
            body["member_permissions"] = member_permissions
        return await self._call("POST", "/interactions/slash", body)

    async def fire_message_command(
        self,
        name: str,
        *,
        message_id: int | str | None = None,
        content: str = "",
        embeds: list[dict[str, Any]] | None = None,
        attachments: list[Any] | None = None,
        author_id: int | str | None = None,
        channel_id: int | str | None = None,
        user_id: int | str | None = None,
        require_synced: bool = True,
    ) -> dict[str, Any]:
        return await self._call(
            "POST",
            "/interactions/message",
            {
                "name": name,
                "message_id": message_id,
                "content": content,
                "embeds": embeds,
                "attachments": [_attachment(a) for a in attachments or []],
                "author_id": author_id,
                "channel_id": channel_id,
                "user_id": user_id,
                "require_synced": require_synced,
            },
        )

    async def post_user_message(
        self, channel_id: int | str, content: str = "", *, user_id: int | str | None = None
    ) -> dict[str, Any]:
        return await self._call(
            "POST", f"/channels/{channel_id}/messages", {"content": content, "user_id": user_id}
        )

    # reading
    async def interaction(self, interaction_id: int | str) -> dict[str, Any]:
        return await self._call("GET", f"/interactions/{interaction_id}")

    async def interactions(self) -> list[dict[str, Any]]:
        return await self._call("GET", "/interactions")

    async def wait_for_reply(
        self, interaction_id: int | str, timeout: float = 5.0
    ) -> dict[str, Any]:
        return await self._call("GET", f"/interactions/{interaction_id}", params={"wait": timeout})

    async def wait_for_interaction(
        self, interaction_id: int | str, *, until: str = "replied", timeout: float = 5.0
    ) -> dict[str, Any]:
        return await self._call(
            "GET", f"/interactions/{interaction_id}", params={"wait": timeout, "until": until}
        )

    async def channel_messages(self, channel_id: int | str) -> list[dict[str, Any]]:
        return await self._call("GET", f"/channels/{channel_id}/messages")

    async def wait_for_messages(
        self, channel_id: int | str, count: int = 1, timeout: float = 5.0
    ) -> list[dict[str, Any]]:
        return await self._call(
            "GET", f"/channels/{channel_id}/messages", params={"wait": timeout, "count": count}
        )

    async def message(self, message_id: int | str) -> dict[str, Any]:
        return await self._call("GET", f"/messages/{message_id}")

    async def attachment_bytes(self, attachment_id: int | str) -> bytes:
        return await self._call("GET", f"/attachments/{attachment_id}")

    async def synced_commands(self, guild_id: int | str | None = None) -> Any:
        return await self._call("GET", "/commands", params={"guild_id": guild_id})

    async def requests(
        self, method: str | None = None, path: str | None = None
    ) -> list[dict[str, Any]]:
        return await self._call("GET", "/requests", params={"method": method, "path": path})

    async def unhandled_requests(self) -> list[dict[str, Any]]:
        return await self._call("GET", "/unhandled")

    # faults
    async def inject_fault(
        self,
        method: str = "*",
        path: str = ".*",
        *,
        kind: str = "ratelimit",
        count: int = 1,
        status: int = 500,
        retry_after: float = 0.1,
        hang_seconds: float = 5.0,
        is_global: bool = False,
    ) -> dict[str, Any]:
        return await self._call(
            "POST",
            "/faults",
            {
                "method": method,
                "path": path,
                "kind": kind,
                "count": count,
                "status": status,
                "retry_after": retry_after,
                "hang_seconds": hang_seconds,
                "global": is_global,
            },
        )

    async def faults(self) -> list[dict[str, Any]]:
        return await self._call("GET", "/faults")

    async def clear_faults(self) -> None:
        await self._call("DELETE", "/faults")

    # gateway
    async def gateway_state(self) -> dict[str, Any]:
        return await self._call("GET", "/gateway")

    async def wait_until_connected(self, timeout: float = 10.0) -> bool:
        return bool(
            (await self._call("GET", "/gateway", params={"wait_connected": timeout}))["connected"]
        )

    async def heartbeat_acks(self) -> list[int]:
        return [c["heartbeat_acks"] for c in (await self.gateway_state())["connections"]]

    async def request_reconnect(self) -> int:
        return (await self._call("POST", "/gateway/reconnect"))["sent"]

    async def drop_gateway(self, code: int = 4000) -> int:
        return (await self._call("POST", "/gateway/drop", {"code": code}))["closed"]

    async def invalidate_session(self, resumable: bool = False) -> int:
        return (await self._call("POST", "/gateway/invalidate", {"resumable": resumable}))["sent"]
