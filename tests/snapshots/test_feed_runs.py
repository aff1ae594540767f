"""Byte-identical feed behaviour across restructures: a recorded run of the real bot.

One scripted run — subscribe, new items, a feed whose pages are missing (the item's own
text is summarized), a flood, a failing feed and its recovery, list/test/pause/resume/
remove, a deleted channel — against the Discord emulator. Every message posted (content,
embeds) and every command reply is compared with `tests/data/snapshots/feed_runs.json`,
after replacing what changes from run to run (ports, ids, times). Record it again only for
an intended change: PRECIS_RECORD_SNAPSHOTS=1 ./scripts/test tests/snapshots.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.cogs.test_feeds import add_items, feed_command, live_feed, posts
from tests.discord_adapter.conftest import Harness
from tests.feeds.feedserver import FeedServer

SNAPSHOT = Path(__file__).resolve().parents[1] / "data" / "snapshots" / "feed_runs.json"


@pytest.fixture
def bot_overrides() -> dict[str, Any]:
    return {"feed_poll_interval": 3600, "feed_retry_seconds": 1, "feed_failure_notice_after": 2}


class Recorder:
    def __init__(self, h: Harness, feeds: FeedServer) -> None:
        self.h, self.feeds = h, feeds
        self.names = {str(v): f"<{k}>" for k, v in h.guild["channels"].items()}
        self.names[str(h.guild["id"])] = "<guild>"
        self.steps: list[dict[str, Any]] = []

    def clean(self, value: Any) -> Any:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
        text = text.replace(f"127.0.0.1:{self.feeds.port}", "FEEDS")
        text = re.sub(r"<t:\d+(:\w)?>", "<t:TIME>", text)
        text = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", "DATE TIME UTC", text)
        for snowflake, name in self.names.items():
            text = text.replace(snowflake, name)
        return json.loads(text)

    async def command(self, label: str, sub: str, options: dict[str, Any]) -> dict[str, Any]:
        view = await feed_command(self.h, sub, options)
        followups = [{"content": m.get("content"), "embeds": m.get("embeds")}
                     for m in view["followups"]]  # fmt: skip
        initial = view["initial"]["data"] if view["initial"] else None
        self.steps.append(self.clean({"step": label, "initial": initial, "followups": followups,
                                      "ephemeral": view["ephemeral"]}))  # fmt: skip
        return view

    async def settle(self, label: str) -> None:
        await asyncio.sleep(0.6)  # deliveries and notices run on their own loop
        for _ in range(50):
            if not await self.h.bot.store.due_deliveries(_far_future()):
                break
            await asyncio.sleep(0.1)
        channels = {}
        for name, cid in self.h.guild["channels"].items():
            try:
                messages = self.h.fake.channel_messages(int(cid))
            except Exception:  # a deleted channel
                messages = []
            # Posts keep their order (oldest item first); texts (notices, command replies)
            # are sent by their own loop, so only which ones were sent is compared.
            channels[name] = {
                "posts": [{"content": m.get("content"), "embeds": m["embeds"],
                           "mentions": m.get("allowed_mentions")}
                          for m in messages if m.get("embeds")],
                "texts": sorted([m.get("content"), m.get("allowed_mentions")]
                                for m in messages if not m.get("embeds")),
            }  # fmt: skip
        self.steps.append(self.clean({"step": label, "channels": channels}))


def _far_future() -> Any:
    import datetime as dt

    return dt.datetime.now(dt.UTC) + dt.timedelta(days=1)


async def test_a_recorded_feed_run_is_unchanged(harness: Harness, feeds: FeedServer) -> None:
    h, rec = harness, Recorder(harness, feeds)
    news, general = (int(h.guild["channels"][n]) for n in ("news", "general"))
    a = live_feed(feeds, "/a.xml", items=3)
    await rec.command("add a", "add", {"url": feeds.url("/a.xml"), "channel": news})
    await posts(h, news, 1)
    await rec.settle("first post")
    sub_a = (await h.bot.store.list_subscriptions(channel_id=news))[0]

    add_items(feeds, a, 2)
    await h.bot.feeds.poll_now(sub_a.feed_id)
    await posts(h, news, 3)
    await rec.settle("two new items")

    b = feeds.feed("/b.xml", title="Pages Missing <Weekly> *News*")
    b.add(2, link_base=feeds.url("/gone"))  # pages 404: the item's own text is summarized
    await rec.command("add b", "add", {"url": feeds.url("/b.xml"), "channel": general,
                                       "sentences": 2, "include": "harbour"})  # fmt: skip
    await posts(h, general, 1)
    sub_b = (await h.bot.store.list_subscriptions(channel_id=general))[0]
    b.add(8, link_base=feeds.url("/gone"))  # a flood: at most 5 per poll, and a notice
    await h.bot.feeds.poll_now(sub_b.feed_id)
    await posts(h, general, 6)
    await rec.settle("flood")

    a.status = 500
    for _ in range(3):
        await h.bot.feeds.poll_now(sub_a.feed_id)
    await rec.settle("failing")
    await rec.command("list failing", "list", {})
    a.status = 200
    add_items(feeds, a, 1)
    await h.bot.feeds.poll_now(sub_a.feed_id)
    await rec.settle("recovered")

    await rec.command("test", "test", {"subscription": sub_a.id})
    await rec.command("pause", "pause", {"subscription": sub_b.id})
    await rec.command("list paused", "list", {})
    await rec.command("resume", "resume", {"subscription": sub_b.id})
    await rec.command("remove b", "remove", {"subscription": sub_b.id})
    await rec.command("remove missing", "remove", {"subscription": 999})
    await rec.command("add bad", "add", {"url": feeds.url("/nothing-here")})

    await h.fake.delete_channel(news)
    add_items(feeds, a, 1)
    await h.bot.feeds.poll_now(sub_a.feed_id)
    for _ in range(100):
        sub = await h.bot.store.get_subscription(sub_a.id)
        if sub and sub.paused:
            break
        await asyncio.sleep(0.1)
    await rec.settle("channel deleted")
    await rec.command("list at the end", "list", {})

    if os.environ.get("PRECIS_RECORD_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(json.dumps(rec.steps, ensure_ascii=False, indent=1) + "\n")
    recorded = json.loads(SNAPSHOT.read_text())
    assert [s["step"] for s in rec.steps] == [s["step"] for s in recorded]
    for new, old in zip(rec.steps, recorded, strict=True):
        assert new == old, f"step {old['step']!r} changed"
