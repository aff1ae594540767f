"""Point the real discord.py (2.x) at another Discord, e.g. this emulator.

discord.py keeps every Discord address in three class attributes:

* ``discord.http.Route.BASE`` (str, default ``https://discord.com/api/v10``): every REST
  call. The interaction callback and the follow-up webhook routes in
  ``discord/webhook/async_.py`` (and ``webhook/sync.py``) build the same ``discord.http.Route``
  class, so this one attribute covers them too. ``Route.url`` is computed when a Route is
  created, so set it before the client makes any request.
* ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`` (``yarl.URL``, default
  ``wss://gateway.discord.gg/``): the first gateway connection of a ``Client``/``Bot``
  (which does not call ``GET /gateway/bot``) and the reconnect after an INVALID_SESSION.
  Resumes go to READY's ``resume_gateway_url``; ``AutoShardedClient`` uses the URL from
  ``GET /gateway/bot``. The emulator returns its own URL in both places.
* ``discord.asset.Asset.BASE`` (optional, CDN for avatars/icons): only if ``cdn_base`` is given.

Nothing else is needed: attachment URLs arrive in the payloads, and
``discord.http._set_api_version()`` is the only code that rewrites ``Route.BASE`` (don't
call it after pointing).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import yarl


def point_discord_py_at(
    api_base: str, gateway_url: str, *, cdn_base: str | None = None
) -> Callable[[], None]:
    """Set discord.py's API base and default gateway; returns a function that restores them.

    api_base: e.g. "http://127.0.0.1:8123/api/v10" (no trailing slash).
    gateway_url: e.g. "ws://127.0.0.1:8123/gateway".
    """
    import discord.asset
    import discord.gateway
    import discord.http

    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    old_cdn = discord.asset.Asset.BASE
    discord.http.Route.BASE = api_base.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    if cdn_base is not None:
        discord.asset.Asset.BASE = cdn_base.rstrip("/")

    def restore() -> None:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway
        discord.asset.Asset.BASE = old_cdn

    return restore


@contextmanager
def discord_py_pointed_at(
    api_base: str, gateway_url: str, *, cdn_base: str | None = None
) -> Iterator[None]:
    restore = point_discord_py_at(api_base, gateway_url, cdn_base=cdn_base)
    try:
        yield
    finally:
        restore()
