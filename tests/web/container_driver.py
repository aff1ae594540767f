"""Drives a Précis container from the host for scripts/container-test (not a pytest module).

    python -m tests.web.container_driver wait-ready  --web URL [--timeout S]
    python -m tests.web.container_driver exercise    --web URL --control URL --channel ID
                                                     --api-token T [--seed FILE] [--article FILE]

`exercise` runs one `/summarize text:` through the emulator's control API and checks the
embed, uploads an article through POST /api/v1/summaries (posted to --channel), checks a
wrong token gets 401, and that /metrics counted both doors. Prints one line per check;
exits non-zero on the first failure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp

from tests.fakediscord import ControlClient

ROOT = Path(__file__).resolve().parents[2]


class CheckFailed(Exception):
    pass


def ok(message: str) -> None:
    print(f"  ok  {message}", flush=True)


def check(condition: object, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


async def wait_ready(web: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last: Any = "no answer"
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http:
        while time.monotonic() < deadline:
            try:
                async with http.get(f"{web}/readyz") as r:
                    last = await r.json()
                    if r.status == 200:
                        ok(f"/readyz 200 {json.dumps(last['checks'], sort_keys=True)}")
                        return
            except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
                last = f"{type(exc).__name__}: {exc}"
            await asyncio.sleep(0.5)
    raise CheckFailed(f"/readyz never answered 200 within {timeout:.0f} s; last: {last}")


async def exercise(args: argparse.Namespace) -> None:
    web = args.web.rstrip("/")
    channel = int(args.channel)
    async with ControlClient(args.control) as ctl, aiohttp.ClientSession() as http:
        async with http.get(f"{web}/healthz") as r:
            check(r.status == 200, f"/healthz answered {r.status}")
            ok(f"/healthz 200 {await r.json()}")

        # 1. A slash command through the emulator, like a user in Discord.
        seed = Path(args.seed).read_text(encoding="utf-8")
        started = time.perf_counter()
        inter = await ctl.fire_slash_command("summarize", {"text": seed}, channel_id=channel)
        reply = await ctl.wait_for_reply(inter["id"], timeout=30)
        followups = reply.get("followups") or []
        check(followups and followups[0].get("embeds"), f"no embed in the reply: {reply}")
        embed = followups[0]["embeds"][0]
        check(embed.get("title"), f"the embed has no title: {embed}")
        bullets = embed.get("description", "").count("•")
        check(bullets == 3, f"expected 3 summary sentences, got {bullets}: {embed}")
        check("French (fr)" in embed.get("footer", {}).get("text", ""), f"footer: {embed}")
        ok(f"/summarize text: -> embed {embed['title'][:60]!r}, {bullets} sentences "
           f"({time.perf_counter() - started:.2f} s)")  # fmt: skip

        # 2. An upload through the HTTP API, posted to the channel.
        before = len(await ctl.channel_messages(channel))
        article = Path(args.article)
        form = aiohttp.FormData()
        form.add_field("file", article.read_bytes(), filename=article.name,
                       content_type="text/html")  # fmt: skip
        form.add_field("sentences", "2")
        form.add_field("channel_id", str(channel))
        started = time.perf_counter()
        headers = {"Authorization": f"Bearer {args.api_token}"}
        async with http.post(f"{web}/api/v1/summaries", data=form, headers=headers) as r:
            body = await r.json()
            check(r.status == 200, f"upload answered {r.status}: {body}")
            message_id = r.headers.get("X-Precis-Message-Id")
        check(len(body["summary"]) == 2 and body["title"], f"upload answer: {body}")
        messages = await ctl.wait_for_messages(channel, before + 1, timeout=10)
        posted = [m for m in messages if str(m["id"]) == str(message_id)]
        check(posted and posted[0]["embeds"][0]["title"], f"no posted embed {message_id}")
        seconds = time.perf_counter() - started
        ok(f"POST /api/v1/summaries -> 200 {body['title'][:50]!r} ({body['language']}), "
           f"embed posted as message {message_id} ({seconds:.2f} s)")  # fmt: skip

        wrong = {"Authorization": "Bearer wrong-token-000000"}
        async with http.post(f"{web}/api/v1/summaries", json={"text": seed}, headers=wrong) as r:
            check(r.status == 401, f"a wrong token got {r.status}")
            ok("wrong token -> 401")

        # 3. Metrics saw both doors.
        async with http.get(f"{web}/metrics") as r:
            text = await r.text()
        for needle in (
            'precis_summaries_total{door="slash",outcome="ok"} 1.0',
            'precis_summaries_total{door="api",outcome="ok"} 1.0',
            'precis_api_requests_total{status="200"} 1.0',
            'precis_api_requests_total{status="401"} 1.0',
            "precis_delivery_queue_length 0.0",
        ):
            check(needle in text, f"/metrics lacks {needle!r}")
        ok("/metrics counted the slash command and the upload")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.web.container_driver")
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("wait-ready")
    w.add_argument("--web", required=True)
    w.add_argument("--timeout", type=float, default=120)
    e = sub.add_parser("exercise")
    e.add_argument("--web", required=True)
    e.add_argument("--control", required=True)
    e.add_argument("--channel", required=True)
    e.add_argument("--api-token", required=True)
    e.add_argument("--seed", default=str(ROOT / "seeds" / "000_8cab881343aabe4f.txt"))
    e.add_argument(
        "--article", default=str(ROOT / "tests" / "data" / "articles" / "en_spacecraft.html")
    )
    args = parser.parse_args()
    try:
        if args.command == "wait-ready":
            asyncio.run(wait_ready(args.web.rstrip("/"), args.timeout))
        else:
            asyncio.run(exercise(args))
    except CheckFailed as exc:
        print(f"  FAIL {exc}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
