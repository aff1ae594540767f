"""Run the emulator standalone: ``python -m tests.fakediscord --port 8123 [--token T]``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging

from .server import FakeDiscord


async def _main(args: argparse.Namespace) -> None:
    fake = FakeDiscord(
        token=args.token,
        heartbeat_interval=args.heartbeat_interval,
        interaction_deadline=args.interaction_deadline,
    )
    await fake.start(args.host, args.port)
    for name in args.guild or []:
        guild = await fake.create_guild(name, channels=args.channel or ["general"])
        print(f"guild {guild['name']}: {guild['id']} channels {guild['channels']}", flush=True)
    print(f"DISCORD_API_BASE={fake.api_base}", flush=True)
    print(f"DISCORD_GATEWAY_URL={fake.gateway_url}", flush=True)
    print(f"DISCORD_TOKEN={fake.token}", flush=True)
    print(f"control API: {fake.control_url}/state", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.fakediscord", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 = any free port")
    parser.add_argument("--token", default="fake-bot-token")
    parser.add_argument("--heartbeat-interval", type=float, default=41.25, help="seconds")
    parser.add_argument("--interaction-deadline", type=float, default=3.0, help="seconds")
    parser.add_argument(
        "--guild", action="append", help="create a guild with this name (repeatable)"
    )
    parser.add_argument("--channel", action="append", help="channel names for --guild guilds")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_main(args))


if __name__ == "__main__":
    main()
