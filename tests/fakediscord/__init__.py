"""fakediscord: a loopback Discord for end-to-end tests of a real discord.py bot.

One aiohttp application on 127.0.0.1 serves
  * REST   ``http://127.0.0.1:PORT/api/v10/...``  (the routes discord.py uses; see rest.py),
  * the gateway websocket ``ws://127.0.0.1:PORT/gateway`` (JSON, zlib-stream; see gateway.py),
  * attachment downloads ``http://127.0.0.1:PORT/attachments/{id}/{filename}``,
  * a JSON control API ``http://127.0.0.1:PORT/_control/...`` (see control.py).

Pointing discord.py at it
-------------------------
Set these BEFORE the client makes its first request (``point_discord_py_at`` does it and
returns a ``restore()`` function)::

    discord.http.Route.BASE = "http://127.0.0.1:PORT/api/v10"              # all REST,
        # including interaction callbacks and follow-up webhooks: discord/webhook/async_.py
        # builds the same discord.http.Route class, so it needs no separate patch.
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL("ws://127.0.0.1:PORT/gateway")
        # first connect of Client/Bot and reconnect after INVALID_SESSION; resumes use
        # READY.resume_gateway_url and AutoShardedClient uses GET /gateway/bot: both are
        # answered with the emulator's URL.

Shards: an IDENTIFY with ``"shard": [id, count]`` gets the guilds of that shard only, and
their events and interactions (see gateway.py); ``create_guild(..., shard=(id, count))``
picks an id on a given shard, ``configure(recommended_shards=N)`` sets what
``GET /gateway/bot`` recommends, ``wait_for_shards(count)`` waits for every shard's
session, and an interaction's view says which ``shard`` it was dispatched on.

The product bot can do the same from its settings (DISCORD_API_BASE, DISCORD_GATEWAY_URL)
just before ``bot.start(token)``. Useful client options for fast tests:
``guild_ready_timeout=0.1`` (READY otherwise waits 2 s after the last GUILD_CREATE) and a
small ``heartbeat_interval`` on the emulator.

In-process fixture
------------------
::

    import pytest
    from tests.fakediscord import FakeDiscord, point_discord_py_at

    @pytest.fixture
    async def fake_discord():
        async with FakeDiscord(heartbeat_interval=0.5, interaction_deadline=3.0) as fake:
            await fake.create_guild("Test", channels=["general", "news"])
            restore = point_discord_py_at(fake.api_base, fake.gateway_url)
            try:
                yield fake
            finally:
                restore()

    async def test_summarize(fake_discord, running_bot):   # running_bot: bot.start(fake.token)
        await fake_discord.wait_until_connected()
        # the bot syncs its commands in setup_hook / on_ready; then:
        inter = await fake_discord.fire_slash_command("summarize", {"url": "http://..."})
        view = await fake_discord.wait_for_reply(inter["id"], timeout=10)
        assert view["followups"][0]["embeds"][0]["title"] == "..."

Out of process: ``python -m tests.fakediscord --port 8123 --token T`` (prints the API base,
gateway URL and token), run the bot with DISCORD_API_BASE / DISCORD_GATEWAY_URL /
DISCORD_TOKEN set to those, and drive it with ``ControlClient("http://127.0.0.1:8123")``.
``ThreadedFakeDiscord`` / ``threaded_fake_discord()`` run the emulator on a thread for
synchronous tests.

What is checked like Discord
----------------------------
``Authorization: Bot <token>`` (401), embed/content limits (400 code 50035, empty message
50006), interaction callback unknown / late (> ``interaction_deadline``, default 3 s) ->
404 code 10062, second initial response -> 400 code 40060, follow-ups before an ack ->
404 10015, after ``token_lifetime`` (15 min; move time with ``advance_clock``) -> 401
50027, unknown channel -> 404 10003, a channel set ``can_send=False`` -> 403 50013,
``nonce`` + ``enforce_nonce`` -> the same message within ``nonce_window``; nonce > 25
characters -> 50035. Forum channels (``create_forum``: type 15, ``available_tags``, the
require-tag flag) take posts (``POST /channels/{forum}/threads`` with a ``message``) and text
channels threads on a message; names of 1-100 characters, Discord's auto-archive durations,
tag ids the forum has, a tag where one is required (40067), one thread per message (160004);
``GET /guilds/{id}/threads/active`` lists them (see threads.py). Replies use
``Content-Type: application/json`` exactly and carry
X-RateLimit-* headers; injected 429s carry ``Retry-After``, a JSON ``retry_after`` and a
``Via`` header (discord.py treats a 429 without ``Via`` as a Cloudflare ban and raises).

Known simplifications: one shard; JSON encoding only; no per-route rate limiting unless
injected; permissions are "can send or not" and "can thread or not" per channel; threads
archive only when told (``archive_thread``); no DMs, reactions, voice, components/modals
beyond recording their callbacks. Faults: ``slow_response`` withholds an answer (the
request took effect), ``fail_after`` answers an error although the request took effect.
"""

from .client import ControlAPIError, ControlClient
from .model import FLAG_EPHEMERAL, FLAG_LOADING
from .patching import discord_py_pointed_at, point_discord_py_at
from .server import ControlError, FakeDiscord, ThreadedFakeDiscord, threaded_fake_discord

__all__ = [
    "FLAG_EPHEMERAL",
    "FLAG_LOADING",
    "ControlAPIError",
    "ControlClient",
    "ControlError",
    "FakeDiscord",
    "ThreadedFakeDiscord",
    "discord_py_pointed_at",
    "point_discord_py_at",
    "threaded_fake_discord",
]
