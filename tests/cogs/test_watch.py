"""`/watch` end to end: the real bot, the Discord emulator, feeds on loopback, the bot's
SQLite file. A watch fires once per item per watch (across a restart of the feed service
in the crash window), on the item's entities, pinging only its role."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import sqlalchemy as sa

from bot.feeds.schema import PENDING, deliveries, notices
from tests.cogs.test_feeds import add_items, live_feed, posts, reply_text
from tests.discord_adapter.conftest import Harness
from tests.feeds.feedserver import FeedServer

SEND_MESSAGES = 1 << 11


@pytest.fixture
def bot_overrides() -> dict[str, Any]:
    return {"feed_poll_interval": 3600, "feed_retry_seconds": 1}


async def command(h: Harness, name: str, options: dict[str, Any], **kw: Any) -> dict[str, Any]:
    inter = await h.fake.fire_slash_command(name, options, channel_id=h.channel, **kw)
    return await h.fake.wait_for_reply(inter["id"], timeout=20)


async def settle(h: Harness, channel: int, count: int) -> list[dict[str, Any]]:
    """The channel's messages once `count` are there and nothing more came for a while."""
    await h.fake.wait_for_messages(channel, count, timeout=20)
    await asyncio.sleep(1.5)
    return h.fake.channel_messages(channel)


async def test_watch_fires_once_per_item_on_entities_pinging_only_its_role(
    harness: Harness, feeds: FeedServer
) -> None:
    h, store = harness, harness.bot.store
    guild = int(h.guild["id"])
    news = int(h.guild["channels"]["news"])
    alerts = await h.fake.create_channel(guild, "alerts")
    desk = h.fake.add_role(guild, "harbour-desk")
    added = reply_text(await command(h, "watch add", {"entity": "martin", "channel": alerts,
                                                      "role": desk}))  # fmt: skip
    assert "Watching **martin**" in added and f"<#{alerts}>" in added, added
    # a surname matches the full name; a first name alone does not; a kind must agree
    for options in ({"entity": "Claire"}, {"entity": "saint malo", "kind": "place"},
                    {"entity": "Saint-Malo", "kind": "person"}):  # fmt: skip
        await command(h, "watch add", {**options, "channel": alerts})
    listing = reply_text(await command(h, "watch list", {}))
    assert listing.count("\n") == 3 and f"pinging <@&{desk}>" in listing, listing

    feed = live_feed(feeds, items=1)
    await command(h, "feed add", {"url": feeds.url("/feed.xml"), "channel": news})
    post = (await posts(h, news, 1))[0]
    fired = await settle(h, alerts, 2)
    assert len(fired) == 2, [m["content"] for m in fired]
    martin = next(m for m in fired if "Claire Martin" in m["content"])
    place = next(m for m in fired if "Saint-Malo" in m["content"])
    link = f"https://discord.com/channels/{guild}/{news}/{post['id']}"
    assert martin["content"].startswith(f"\U0001f514 <@&{desk}> **Claire Martin** (person)")
    assert f"]({link})" in martin["content"] and "(watch: martin)" in martin["content"]
    assert martin["mention_roles"] == [str(desk)] and not martin["mention_everyone"]
    allowed = martin["allowed_mentions"]
    assert allowed["parse"] == [] and [int(r) for r in allowed["roles"]] == [desk], allowed
    assert place["mention_roles"] == [] and "(place)" in place["content"]
    assert place["allowed_mentions"]["parse"] == [] and not place["allowed_mentions"].get("roles")

    add_items(feeds, feed, 1)
    sub = (await store.list_subscriptions(channel_id=news))[0]
    await h.bot.feeds.poll_now(sub.feed_id)
    second = (await posts(h, news, 2))[1]
    assert len(await settle(h, alerts, 4)) == 4

    # The crash window, then a restart over the same SQLite file: the post was made and
    # its watches recorded, but neither the post nor a notice was marked sent.
    async with store.engine.begin() as conn:
        await conn.execute(sa.update(deliveries).where(deliveries.c.message_id == second["id"])
                           .values(status=PENDING, sent_at=None))  # fmt: skip
        last = sa.select(sa.func.max(notices.c.id)).where(notices.c.kind == "watch")
        await conn.execute(sa.update(notices).where(notices.c.id == last.scalar_subquery())
                           .values(status=PENDING))  # fmt: skip
    await h.bot.feeds.stop()
    await h.bot.feeds.start()
    for _ in range(100):
        if (await store.delivery_counts(sub.id)).get(PENDING, 0) == 0:
            break
        await asyncio.sleep(0.1)
    assert (await store.delivery_counts(sub.id)) == {"sent": 2}
    assert len(await settle(h, news, 2)) == 2  # the same message (its nonce)
    assert len(await settle(h, alerts, 4)) == 4  # no watch fired twice
    # ...although the post and the notice were both sent again, with their nonces
    assert len(h.fake.requests("POST", rf"^/channels/{news}/messages")) == 3
    assert len(h.fake.requests("POST", rf"^/channels/{alerts}/messages")) == 5

    watch_id = int(added.split("`#", 1)[1].split("`", 1)[0])
    gone = reply_text(await command(h, "watch remove", {"watch": watch_id}))
    assert "Stopped watching **martin**" in gone, gone
    add_items(feeds, feed, 1)
    await h.bot.feeds.poll_now(sub.feed_id)
    await posts(h, news, 3)
    after = await settle(h, alerts, 5)
    assert len(after) == 5 and "Saint-Malo" in after[-1]["content"]  # martin's is gone


async def test_watch_refuses_bad_input_privately(harness: Harness) -> None:
    h = harness
    guild = int(h.guild["id"])
    cases = [
        ({"entity": "!!! ???", "channel": h.channel}, "name of a person, place"),
        ({"entity": "x" * 101, "channel": h.channel}, "at most 100 characters"),
        ({"entity": "Macron", "channel": h.channel, "role": guild}, "never ping @everyone"),
        ({"entity": "Macron", "channel": h.channel,
          "role": h.fake.add_role(guild, "quiet", mentionable=False)}, "may not ping"),
    ]  # fmt: skip
    closed = int(h.guild["channels"]["news"])
    await h.fake.set_channel_permission(closed, can_send=False)
    cases.append(({"entity": "Macron", "channel": closed}, "can't post in"))
    for options, expected in cases:
        view = await command(h, "watch add", options)
        assert view["ephemeral"] and expected in reply_text(view), (options, view)
    assert "No watches yet" in reply_text(await command(h, "watch list", {}))
    await command(h, "watch add", {"entity": "Macron", "channel": h.channel})
    again = await command(h, "watch add", {"entity": "macron", "channel": h.channel})
    assert again["ephemeral"] and "exists already" in reply_text(again)
    assert "no watch `#99`" in reply_text(await command(h, "watch remove", {"watch": 99}))
    view = await command(h, "watch add", {"entity": "Macron", "channel": h.channel},
                         member_permissions=SEND_MESSAGES, require_synced=False)  # fmt: skip
    assert "manage channels" in reply_text(view).lower()
