"""The real `python -m bot run` process against the emulator: start, serve, SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.conftest import ROOT, SEED
from tests.discord_adapter.conftest import process_env, start_process
from tests.fakediscord import FakeDiscord


async def test_real_process_serves_and_stops_cleanly(tmp_path: Path) -> None:
    async with FakeDiscord(heartbeat_interval=0.5, token="process-secret-token-123") as fake:
        guild = await fake.create_guild("Newsroom", channels=["general"])
        env = process_env(fake, guild["id"], tmp_path, LOG_LEVEL="DEBUG")
        process = await start_process(env, tmp_path)
        try:
            for _ in range(300):
                if any(c["name"] == "summarize" for c in fake.synced_commands(guild["id"])):
                    break
                assert process.returncode is None, (tmp_path / "bot.log").read_text()
                await asyncio.sleep(0.1)
            # commands are synced before the gateway handshake: interactions need a session
            assert await fake.wait_until_connected(timeout=30), (tmp_path / "bot.log").read_text()
            inter = await fake.fire_slash_command(
                "summarize", {"text": SEED.read_text(encoding="utf-8")},
                channel_id=guild["channels"]["general"],
            )  # fmt: skip
            view = await fake.wait_for_reply(inter["id"], timeout=30)
            embeds = [m["embeds"][0] for m in view["followups"] if m.get("embeds")]
            assert embeds and "Irak" in embeds[0]["title"]
        finally:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), timeout=10)
        logs = (tmp_path / "bot.log").read_text()
        assert process.returncode == 0, logs
        assert "shutting down" in logs
        assert fake.token not in logs  # secrets never reach the logs
        # The operator is told how to add the bot to a server.
        invite = "invite link (add the bot to a server): https://discord.com/oauth2/authorize"
        assert f"{invite}?client_id={fake.world.application_id}&" in logs


def test_without_a_token_it_says_what_to_do(tmp_path: Path) -> None:
    import subprocess

    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run([sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 2
    assert "DISCORD_TOKEN" in done.stderr and ".env" in done.stderr


async def test_a_database_it_cannot_open_stops_it_with_one_clear_line(tmp_path: Path) -> None:
    async with FakeDiscord(heartbeat_interval=0.5) as fake:
        guild = await fake.create_guild("Newsroom", channels=["general"])
        blocker = tmp_path / "not-a-folder"
        blocker.write_text("a file where the database folder should be")
        database = f"sqlite+aiosqlite:///{blocker / 'precis.sqlite3'}"
        env = process_env(fake, guild["id"], tmp_path, DATABASE_URL=database)
        process = await start_process(env, tmp_path)
        await asyncio.wait_for(process.wait(), timeout=60)
        logs = (tmp_path / "bot.log").read_text()
        assert process.returncode == 1, logs
        assert "could not start" in logs
        assert "Traceback" not in logs
        assert fake.token not in logs


def _processes_with(marker: str) -> list[int]:
    """Pids of live processes whose environment holds `marker` (workers inherit it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                stat = (entry / "stat").read_text()
                if stat.rsplit(")", 1)[1].split()[0] != "Z":  # a zombie is already gone
                    found.append(int(entry.name))
        except OSError:
            continue
    return found


async def test_sigterm_while_a_summary_runs_exits_within_10_s_and_leaves_no_worker(
    tmp_path: Path,
) -> None:
    # A 9 MB upload takes several seconds in a worker process; SIGTERM arrives while it
    # runs. The bot must exit cleanly within 10 s (the README's promise) and take its
    # worker processes with it, whatever they are doing.
    import json
    import uuid

    from tests.conftest import DATA

    with (DATA / "eval" / "cnndm.jsonl").open(encoding="utf-8") as handle:
        heavy = "\n\n".join(json.loads(line)["article"] for line in handle) * 22
    marker = f"PRECIS_TEST_MARK_{uuid.uuid4().hex}"
    async with FakeDiscord(heartbeat_interval=0.5) as fake:
        guild = await fake.create_guild("Newsroom", channels=["general"])
        env = process_env(fake, guild["id"], tmp_path, SUMMARY_TIMEOUT="600", **{marker: "1"})
        process = await start_process(env, tmp_path)
        try:
            assert await fake.wait_until_connected(timeout=60), (tmp_path / "bot.log").read_text()
            inter = await fake.fire_slash_command(
                "summarize", {}, channel_id=guild["channels"]["general"],
                attachments={"file": ("heavy.txt", heavy.encode())},
            )  # fmt: skip
            await fake.wait_for_interaction(inter["id"], until="acknowledged", timeout=30)
            await asyncio.sleep(1.0)  # the worker is busy with the summary now
            assert len(_processes_with(marker)) >= 2  # the bot and its worker(s)
            reply = fake.interaction(inter["id"])
            assert not reply.get("followups"), "the summary finished before SIGTERM"
            loop = asyncio.get_running_loop()
            started = loop.time()
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), timeout=10)
            took = loop.time() - started
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        logs = (tmp_path / "bot.log").read_text()
        assert process.returncode == 0, logs
        assert took < 10
        for _ in range(20):  # workers are killed, not orphaned
            if not _processes_with(marker):
                break
            await asyncio.sleep(0.1)
        assert _processes_with(marker) == []
