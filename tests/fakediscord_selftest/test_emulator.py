"""The emulator, driven by a real discord.py bot (see conftest.SelftestBot)."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import discord
import pytest

from tests.fakediscord import FakeDiscord

from .conftest import SelftestBot


async def test_login_ready_guild_and_sync(
    fake: FakeDiscord, bot: SelftestBot, guild: dict[str, Any]
) -> None:
    assert bot.user is not None and bot.user.id == fake.bot_id
    assert bot.application_id == fake.application_id
    g = bot.get_guild(guild["id"])
    assert g is not None and g.name == "Selftest"
    assert {c.name for c in g.text_channels} == {"general", "news"}
    assert g.me is not None
    state = fake.gateway_state()
    assert state["connected"] and state["connections"][0]["identified"]
    assert state["connections"][0]["compress"] == "zlib-stream"
    synced = {(c["name"], c["type"]) for c in fake.synced_commands(guild["id"])}
    assert synced == {
        ("summarize", 1),
        ("private", 1),
        ("huge", 1),
        ("slow", 1),
        ("upload", 1),
        ("export", 1),
        ("feeds", 1),
        ("Summarize message", 3),
    }
    summarize = next(c for c in fake.synced_commands(guild["id"]) if c["name"] == "summarize")
    assert [(o["name"], o["type"], o.get("required", False)) for o in summarize["options"]] == [
        ("url", 3, True),
        ("sentences", 4, False),
    ]
    assert fake.unhandled_requests() == []


async def test_slash_command_defer_then_followup_embed(
    fake: FakeDiscord, bot: SelftestBot, guild: dict[str, Any]
) -> None:
    channel_id = guild["channels"]["news"]
    inter = await fake.fire_slash_command(
        "summarize", {"url": "https://example.org/a", "sentences": 2}, channel_id=channel_id
    )
    view = await fake.wait_for_reply(inter["id"])
    assert bot.seen == [("summarize", ("https://example.org/a", 2))]
    assert view["initial"]["type"] == 5 and view["deferred"] and not view["ephemeral"]
    assert view["replied"]
    [followup] = view["followups"]
    embed = followup["embeds"][0]
    assert embed["title"] == "Summary"
    assert embed["description"] == "2 sentences of https://example.org/a"
    assert embed["fields"] == [{"name": "Source", "value": "https://example.org/a", "inline": True}]
    assert followup["allowed_mentions"] == {"parse": []}  # the bot's AllowedMentions.none()
    # The first follow-up after a deferral replaces the "thinking..." message, as on Discord.
    assert followup["id"] == view["original"]["id"]
    assert [m["id"] for m in fake.channel_messages(channel_id)] == [followup["id"]]


async def test_ephemeral_response_is_flagged(
    fake: FakeDiscord, bot: SelftestBot, guild: dict[str, Any]
) -> None:
    inter = await fake.fire_slash_command("private")
    view = await fake.wait_for_reply(inter["id"])
    assert view["ephemeral"] is True
    assert view["initial"]["type"] == 4
    assert view["original"]["content"] == "only you can see this"
    assert view["original"]["flags"] & discord.MessageFlags.ephemeral.flag
    assert fake.channel_messages(guild["channels"]["general"]) == []  # not visible in the channel


async def test_subcommand_with_channel_option(
    fake: FakeDiscord, bot: SelftestBot, guild: dict[str, Any]
) -> None:
    news = guild["channels"]["news"]
    inter = await fake.fire_slash_command(
        "feeds add", {"url": "https://example.org/rss", "channel": news}
    )
    view = await fake.wait_for_reply(inter["id"])
    assert bot.seen == [("feeds add", ("https://example.org/rss", news))]
    assert view["original"]["content"] == f"subscribed <#{news}> to https://example.org/rss"
    assert view["ephemeral"]


async def test_attachment_option_served_by_emulator(fake: FakeDiscord, bot: SelftestBot) -> None:
    body = "Zürich — a small article.\n".encode()
    inter = await fake.fire_slash_command("upload", attachments={"document": ("article.txt", body)})
    view = await fake.wait_for_reply(inter["id"])
    assert bot.seen == [("upload", ("article.txt", body))]
    assert view["original"]["content"] == f"article.txt: {len(body)} bytes"
    [att] = view["payload"]["data"]["resolved"]["attachments"].values()
    assert att["url"].startswith(fake.base_url + "/attachments/")


async def test_message_context_menu(
    fake: FakeDiscord, bot: SelftestBot, guild: dict[str, Any]
) -> None:
    inter = await fake.fire_message_command(
        "Summarize message",
        content="Read this: https://example.org/story",
        attachments=[("story.html", b"<html><p>story</p></html>")],
        channel_id=guild["channels"]["general"],
    )
    view = await fake.wait_for_reply(inter["id"])
    target_id = int(view["payload"]["data"]["target_id"])
    assert bot.seen == [
        ("menu", (target_id, "Read this: https://example.org/story", ["story.html"]))
    ]
    assert view["ephemeral"] and "with 1 files" in view["original"]["content"]


async def test_oversized_embed_rejected_with_50035(fake: FakeDiscord, bot: SelftestBot) -> None:
    inter = await fake.fire_slash_command("huge")
    view = await fake.wait_for_reply(inter["id"])
    [exc] = bot.errors
    assert isinstance(exc, discord.HTTPException) and exc.status == 400 and exc.code == 50035
    assert "4096" in exc.text
    assert view["followups"][-1]["content"] == "failed: 50035"
    assert view["errors"][0]["body"]["errors"]["embeds"]["0"]["description"]["_errors"][0][
        "code"
    ] == ("BASE_TYPE_MAX_LENGTH")


async def test_late_initial_response_is_unknown_interaction(
    fake: FakeDiscord, bot: SelftestBot
) -> None:
    fake.configure(interaction_deadline=0.2)
    bot.slow_delay = 0.4
    inter = await fake.fire_slash_command("slow")
    for _ in range(50):
        if bot.errors:
            break
        await asyncio.sleep(0.05)
    [exc] = bot.errors
    assert isinstance(exc, discord.NotFound) and exc.code == 10062
    view = fake.interaction(inter["id"])
    assert not view["acknowledged"] and view["errors"][0]["code"] == 10062


async def test_ratelimited_followup_is_retried_and_arrives_once(
    fake: FakeDiscord, bot: SelftestBot, guild: dict[str, Any]
) -> None:
    fault = fake.inject_fault("POST", r"^/webhooks/", kind="ratelimit", retry_after=0.3)
    inter = await fake.fire_slash_command("summarize", {"url": "https://example.org/b"})
    view = await fake.wait_for_reply(inter["id"])
    assert len(view["followups"]) == 1
    posts = fake.requests("POST", r"^/webhooks/")
    assert [r["status"] for r in posts] == [429, 200]
    assert posts[1]["at"] - posts[0]["at"] >= 0.25  # discord.py waited out retry_after
    assert fake.faults()[0]["hits"] == 1 and fault["kind"] == "ratelimit"
    assert len(fake.channel_messages(guild["channels"]["general"])) == 1


async def test_nonce_enforce_nonce_dedup(
    fake: FakeDiscord, bot: SelftestBot, guild: dict[str, Any]
) -> None:
    channel = bot.get_channel(guild["channels"]["news"])
    assert isinstance(channel, discord.TextChannel)
    first = await channel.send("item 1", nonce="sub1-item1")
    again = await channel.send("item 1 (retry)", nonce="sub1-item1")
    other = await channel.send("item 2", nonce="sub1-item2")
    assert again.id == first.id and again.content == "item 1"
    assert other.id != first.id
    assert [m["content"] for m in fake.channel_messages(channel.id)] == ["item 1", "item 2"]
    # Outside the window the same nonce creates a new message.
    fake.advance_clock(fake.config.nonce_window + 1)
    later = await channel.send("item 1 again", nonce="sub1-item1")
    assert later.id != first.id


async def test_channel_errors_unknown_and_forbidden(
    fake: FakeDiscord, bot: SelftestBot, guild: dict[str, Any]
) -> None:
    news = guild["channels"]["news"]
    await fake.set_channel_permission(news, can_send=False)
    with pytest.raises(discord.Forbidden) as forbidden:
        await bot.http.send_message(
            news, params=discord.http.handle_message_parameters(content="hi")
        )
    assert forbidden.value.code == 50013
    await fake.delete_channel(news)
    with pytest.raises(discord.NotFound) as missing:
        await bot.http.send_message(
            news, params=discord.http.handle_message_parameters(content="hi")
        )
    assert missing.value.code == 10003
    with pytest.raises(discord.HTTPException) as too_long:
        await bot.get_channel(guild["channels"]["general"]).send("x" * 2001)  # type: ignore[union-attr]
    assert too_long.value.code == 50035


async def test_heartbeats_acknowledged(fake: FakeDiscord, bot: SelftestBot) -> None:
    acks = await fake.wait_for_heartbeat_acks(4, timeout=3)
    assert acks >= 4
    assert fake.heartbeat_acks()[-1] >= 4
    assert bot.latency < 1.0


async def test_reconnect_resumes_session(
    fake: FakeDiscord, bot: SelftestBot, guild: dict[str, Any]
) -> None:
    session = fake.gateway_state()["session_id"]
    resumed = asyncio.Event()

    async def on_resumed() -> None:
        resumed.set()

    bot.add_listener(on_resumed, "on_resumed")
    await fake.request_reconnect()
    await asyncio.wait_for(resumed.wait(), 5)
    state = fake.gateway_state()
    assert state["session_id"] == session
    assert state["connections"][-1]["resumed"] and state["connected"]
    # Interactions still reach the bot on the resumed connection.
    inter = await fake.fire_slash_command("private")
    assert (await fake.wait_for_reply(inter["id"]))["replied"]
    # A dropped socket (resumable close code) is resumed too, replaying missed events.
    resumed.clear()
    await fake.drop_gateway(4000)
    inter = await fake.fire_slash_command("private")  # buffered while disconnected
    await asyncio.wait_for(resumed.wait(), 10)
    assert (await fake.wait_for_reply(inter["id"]))["replied"]
    assert fake.gateway_state()["session_id"] == session


async def test_second_initial_response_and_expired_token(
    fake: FakeDiscord, bot: SelftestBot
) -> None:
    inter = await fake.fire_slash_command("private")
    await fake.wait_for_reply(inter["id"])
    url = f"{fake.api_base}/interactions/{inter['id']}/{inter['token']}/callback"
    hook = f"{fake.api_base}/webhooks/{fake.application_id}/{inter['token']}"
    async with aiohttp.ClientSession() as s:
        async with s.post(url, json={"type": 4, "data": {"content": "again"}}) as r:
            assert r.status == 400 and r.headers["Content-Type"] == "application/json"
            assert (await r.json())["code"] == 40060
        async with s.post(hook + "?wait=1", json={"content": "follow"}) as r:
            assert r.status == 200
        fake.advance_clock(15 * 60 + 1)
        async with s.post(hook, json={"content": "too late"}) as r:
            assert r.status == 401 and (await r.json())["code"] == 50027
        async with s.get(f"{fake.api_base}/users/@me") as r:
            assert r.status == 401


async def test_control_api_over_http(
    fake: FakeDiscord, bot: SelftestBot, guild: dict[str, Any]
) -> None:
    from tests.fakediscord import ControlClient

    async with ControlClient(fake.base_url) as ctl:
        state = await ctl.state()
        assert state["gateway"]["connected"]
        inter = await ctl.fire_slash_command(
            "summarize", {"url": "https://example.org/c"}, channel_id=guild["channels"]["news"]
        )
        view = await ctl.wait_for_reply(inter["id"])
        assert view["followups"][0]["embeds"][0]["title"] == "Summary"
        msgs = await ctl.wait_for_messages(guild["channels"]["news"], 1)
        assert msgs[0]["id"] == view["followups"][0]["id"]
        inter = await ctl.fire_slash_command("upload", attachments={"document": ("a.txt", b"abc")})
        assert (await ctl.wait_for_reply(inter["id"]))["original"]["content"] == "a.txt: 3 bytes"
        await ctl.inject_fault("GET", r"^/channels/\d+$", kind="status", status=503)
        assert (await ctl.faults())[0]["remaining"] == 1
        assert (await ctl.heartbeat_acks())[-1] >= 1


async def test_allowed_mentions_decide_who_is_pinged(
    fake: FakeDiscord, bot: SelftestBot, guild: dict[str, Any]
) -> None:
    channel = bot.get_channel(guild["channels"]["general"])
    assert isinstance(channel, discord.TextChannel)
    uid = fake.default_user_id
    quiet = await channel.send(f"hi <@{uid}> @everyone")  # bot default: AllowedMentions.none()
    loud = await channel.send(
        f"hi <@{uid}> @everyone", allowed_mentions=discord.AllowedMentions.all()
    )
    assert (
        fake.message(quiet.id)["mentions"] == [] and not fake.message(quiet.id)["mention_everyone"]
    )
    assert [u["id"] for u in fake.message(loud.id)["mentions"]] == [str(uid)]
    assert fake.message(loud.id)["mention_everyone"]


async def test_server_errors_and_hangs(
    fake: FakeDiscord, bot: SelftestBot, guild: dict[str, Any]
) -> None:
    news = guild["channels"]["news"]
    fake.inject_fault("GET", rf"^/channels/{news}$", kind="status", status=503)
    with pytest.raises(discord.DiscordServerError) as exc:
        await bot.fetch_channel(news)
    assert exc.value.status == 503
    fake.inject_fault("GET", rf"^/channels/{news}$", kind="hang", hang_seconds=0.3)
    loop = asyncio.get_running_loop()
    started = loop.time()
    fetched = await bot.fetch_channel(news)
    assert fetched.id == news and loop.time() - started >= 0.3


async def test_control_refuses_what_discord_clients_cannot_do(
    fake: FakeDiscord, bot: SelftestBot
) -> None:
    from tests.fakediscord import ControlError

    with pytest.raises(ControlError, match="not been synced"):
        await fake.fire_slash_command("nosuchcommand")
    with pytest.raises(ControlError, match="required option"):
        await fake.fire_slash_command("summarize", {"sentences": 2})
    with pytest.raises(ControlError, match="unknown option"):
        await fake.fire_slash_command("summarize", {"url": "u", "bogus": 1})


async def test_followup_file_edit_and_delete(fake: FakeDiscord, bot: SelftestBot) -> None:
    inter = await fake.fire_slash_command("export")
    view = await fake.wait_for_interaction(inter["id"], until="replied")
    for _ in range(50):
        view = fake.interaction(inter["id"])
        if len(view["followups"]) == 2 and view["followups"][1]["deleted"]:
            break
        await asyncio.sleep(0.05)
    first, second = view["followups"]
    assert view["ephemeral"] and first["id"] == view["original"]["id"]
    assert view["original"]["content"] == "here (edited)"
    assert view["original"]["edit_history"][0]["before"]["content"] == "here"
    [att] = view["original"]["attachments"]
    assert att["filename"] == "summary.md"
    async with aiohttp.ClientSession() as s, s.get(att["url"]) as r:
        assert (await r.read()).decode() == "# Summary\n\nÉté.\n"
    assert second["content"] == "second" and second["deleted"] and second["ephemeral"]
    assert [e["original"] for e in view["edits"]] == [True]


async def test_plain_text_gateway_when_compression_off(guild: dict[str, Any]) -> None:
    from tests.fakediscord import point_discord_py_at

    from .conftest import SelftestBot

    async with FakeDiscord(heartbeat_interval=0.2, compress_gateway=False) as fake:
        g = await fake.create_guild("Plain", channels=["general"])
        restore = point_discord_py_at(fake.api_base, fake.gateway_url)
        bot = SelftestBot(g["id"])
        task = asyncio.create_task(bot.start(fake.token))
        try:
            await asyncio.wait_for(bot.ready_event.wait(), 5)
            assert fake.gateway_state()["connections"][0]["compress"] is None
            inter = await fake.fire_slash_command("private")
            assert (await fake.wait_for_reply(inter["id"]))["replied"]
        finally:
            await bot.close()
            await asyncio.wait_for(task, 5)
            restore()


async def test_standalone_process_with_control_client(tmp_path: Any) -> None:
    import sys
    from pathlib import Path

    from tests.fakediscord import ControlClient, point_discord_py_at

    from .conftest import SelftestBot

    root = Path(__file__).resolve().parents[2]
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fakediscord",
        "--port",
        "0",
        "--token",
        "cli-token",
        "--heartbeat-interval",
        "0.2",
        "--guild",
        "CLI",
        cwd=root,
        stdout=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    env: dict[str, str] = {}
    try:
        while "DISCORD_TOKEN" not in env:
            line = (await asyncio.wait_for(proc.stdout.readline(), 10)).decode()
            assert line, "emulator exited early"
            if "=" in line and line.startswith("DISCORD_"):
                key, _, value = line.strip().partition("=")
                env[key] = value
        assert env["DISCORD_TOKEN"] == "cli-token"
        async with ControlClient(env["DISCORD_API_BASE"]) as ctl:
            state = await ctl.state()
            guild_id = int(state["guilds"][0]["id"])
            restore = point_discord_py_at(env["DISCORD_API_BASE"], env["DISCORD_GATEWAY_URL"])
            bot = SelftestBot(guild_id)
            task = asyncio.create_task(bot.start(env["DISCORD_TOKEN"]))
            try:
                await asyncio.wait_for(bot.ready_event.wait(), 5)
                assert await ctl.wait_until_connected(5)
                inter = await ctl.fire_slash_command("summarize", {"url": "https://example.org/z"})
                view = await ctl.wait_for_reply(inter["id"])
                assert view["followups"][0]["embeds"][0]["title"] == "Summary"
                names = {c["name"] for c in (await ctl.synced_commands(guild_id))}
                assert "Summarize message" in names
            finally:
                await bot.close()
                await asyncio.wait_for(task, 5)
                restore()
    finally:
        proc.terminate()
        await proc.wait()
