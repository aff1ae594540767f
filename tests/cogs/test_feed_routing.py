"""Filter expressions and role mentions, end to end: the real bot, the Discord emulator,
feeds on loopback, a real SQLite file."""

from __future__ import annotations

import asyncio
import html
from typing import Any

import pytest
import sqlalchemy as sa

from bot.feeds.schema import deliveries, items
from tests.cogs.test_feed_forums import make_forum, posts_in, until
from tests.cogs.test_feeds import add_items, feed_command, live_feed, posts, reply_text
from tests.discord_adapter.conftest import Harness
from tests.feeds.feedserver import FeedServer, LiveFeed


@pytest.fixture
def bot_overrides() -> dict[str, Any]:
    # the tests poll explicitly; failed posts are retried after 1 s
    return {"feed_poll_interval": 3600, "feed_retry_seconds": 1}


async def subscribe(h: Harness, feeds: FeedServer, options: dict[str, Any] | None = None) -> int:
    view = await feed_command(h, "add", {"url": feeds.url("/feed.xml"), **(options or {})})
    assert "Following" in reply_text(view), reply_text(view)
    [sub] = await h.bot.store.list_subscriptions(guild_id=int(h.guild["id"]))
    return sub.id


async def fates(h: Harness, sub_id: int) -> dict[str, tuple[str, str | None]]:
    """Item title -> (delivery status, reason) as recorded in the database."""
    query = (
        sa.select(items.c.title, deliveries.c.status, deliveries.c.last_error)
        .join(items, items.c.id == deliveries.c.item_id)
        .where(deliveries.c.subscription_id == sub_id)
    )
    async with h.bot.store._read() as conn:
        return {t: (s, e) for t, s, e in (await conn.execute(query)).all()}


async def settled(h: Harness, sub_id: int, count: int) -> dict[str, tuple[str, str | None]]:
    """Wait until `count` deliveries of the subscription are done (none pending)."""
    for _ in range(300):
        found = await fates(h, sub_id)
        if len(found) >= count and all(s != "pending" for s, _ in found.values()):
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"deliveries of {sub_id} not settled: {await fates(h, sub_id)}")


async def test_filter_expression_posts_only_matching_items_and_records_why(
    harness: Harness, feeds: FeedServer
) -> None:
    feed = live_feed(feeds, items=2)
    sub_id = await subscribe(harness, feeds)
    await posts(harness, harness.channel, 1)
    wrong = "title:harbour or summary contains"
    bad = await feed_command(harness, "filter", {"subscription": sub_id, "expression": wrong})
    assert bad["ephemeral"] or "ephemeral" in str(bad)
    assert "at character 34: expected a value after 'contains'" in reply_text(bad)
    assert (await harness.bot.store.get_subscription(sub_id)).filter is None  # type: ignore[union-attr]

    expression = 'title:"number 3" or summary:"day 5"'
    view = await feed_command(harness, "filter", {"subscription": sub_id, "expression": expression})
    text = reply_text(view)
    assert "now posts only the items matching" in text and "matches 0 of the last 2 items" in text

    add_items(feeds, feed, 3)  # 3 passes on its title; 4 and 5 need their summary
    await harness.bot.feeds.poll_now((await harness.bot.store.list_feeds())[0].id)
    done = await settled(harness, sub_id, 4)
    found = await posts(harness, harness.channel, 3)
    await asyncio.sleep(0.5)
    titles = [m["embeds"][0]["title"] for m in harness.fake.channel_messages(harness.channel)
              if m.get("embeds")]  # fmt: skip
    assert titles == ["Harbour story 2", "Harbour story 3", "Harbour story 5"], found
    assert done["Story number 4 about the harbour"] == ("filtered", expression)
    assert done["Story number 5 about the harbour"][0] == "sent"

    # Decided on the feed's own words at the poll: recorded without summarizing it.
    narrow = await feed_command(
        harness, "filter", {"subscription": sub_id, "expression": "title:'number 6' and not link:x"}
    )
    assert "matches 0 of the last 5 items" in reply_text(narrow)
    add_items(feeds, feed, 2)
    await harness.bot.feeds.poll_now((await harness.bot.store.list_feeds())[0].id)
    done = await settled(harness, sub_id, 6)
    assert done["Story number 7 about the harbour"] == ("filtered", "title:'number 6'")
    assert done["Story number 6 about the harbour"][0] == "sent"
    listing = reply_text(await feed_command(harness, "list", {}))
    assert "filter: title:'number 6' and not link:x" in listing
    assert "2 filtered out" in listing  # stories 4 and 7
    # /feed log gives both the clause that left them out, decided at delivery or at the poll.
    log = {f.title: (f.fate, f.reason) for f in await harness.bot.store.fate_log(sub_id)}
    assert log["Story number 4 about the harbour"] == ("filtered", expression)
    assert log["Story number 7 about the harbour"] == ("filtered", "title:'number 6'")

    cleared = await feed_command(harness, "filter", {"subscription": sub_id, "expression": ""})
    assert "has no filter now" in reply_text(cleared)
    assert (await harness.bot.store.get_subscription(sub_id)).filter is None  # type: ignore[union-attr]


def hostile_item(feeds: FeedServer, feed: LiveFeed, title: str, other_role: int, user: int) -> None:
    """An item whose title, description and page try every ping there is."""
    [entry] = feed.add(1, link_base=feeds.url(""))
    pings = f"@everyone @here <@&{other_role}> <@{user}> <@!{user}>"
    entry.title = f"{title} {pings}"
    entry.description = f"<p>{html.escape(pings)} read this</p>"
    body = (f"<p>{html.escape(pings)} The harbour council met on day {entry.n} to decide the "
            "future of the old fish market in Saint-Malo after months of debate.</p>"
            "<p>Mayor Claire Martin said the council would restore the market hall and open "
            "it to local producers next spring, with a budget of 2.5 million euros.</p>")
    page = f"<html lang='en'><head><title>{html.escape(entry.title)}</title></head><body>" \
           f"<article><h1>{html.escape(entry.title)}</h1>{body}</article></body></html>"
    feeds.file(f"/story/{entry.n}", page.encode(), "text/html; charset=utf-8")


def pinged_nobody(message: dict[str, Any]) -> bool:
    return (message["mentions"] == [] and message["mention_roles"] == []
            and message["mention_everyone"] is False)  # fmt: skip


def pinged_only(message: dict[str, Any], role: int) -> bool:
    return (message["content"] == f"<@&{role}>" and message["mention_roles"] == [str(role)]
            and message["mentions"] == [] and message["mention_everyone"] is False
            and message["allowed_mentions"] == {"parse": [], "roles": [role]})  # fmt: skip


async def test_role_is_pinged_exactly_when_the_condition_holds_and_nobody_else(
    harness: Harness, feeds: FeedServer
) -> None:
    fake, guild = harness.fake, int(harness.guild["id"])
    news = await fake.create_role(guild, "news", mentionable=True)
    other = await fake.create_role(guild, "other", mentionable=True)
    closed = await fake.create_role(guild, "closed", mentionable=False)
    user = 4242
    feed = live_feed(feeds, items=1)
    sub_id = await subscribe(harness, feeds)
    [first] = await posts(harness, harness.channel, 1)
    assert pinged_nobody(first) and not first["content"]

    refused = await feed_command(harness, "mention", {"subscription": sub_id, "role": closed})
    assert "not mentionable" in reply_text(refused) and "Mention Everyone" in reply_text(refused)
    everyone = await feed_command(harness, "mention", {"subscription": sub_id, "role": guild})
    assert "never ping @everyone" in reply_text(everyone)
    assert (await harness.bot.store.get_subscription(sub_id)).mention_role_id is None  # type: ignore[union-attr]
    options = {"subscription": sub_id, "role": news, "when": "title matches"}
    bad = await feed_command(harness, "mention", options)
    assert "at character 14: expected a value after 'matches'" in reply_text(bad)

    options["when"] = "title:breaking"
    ok = await feed_command(harness, "mention", options)
    assert f"now pings <@&{news}> with the items matching" in reply_text(ok)
    assert "matches 0 of the last 1 items" in reply_text(ok)

    hostile_item(feeds, feed, "Breaking: harbour closed", other, user)
    hostile_item(feeds, feed, "Quiet day at the harbour", other, user)
    await harness.bot.feeds.poll_now((await harness.bot.store.list_feeds())[0].id)
    _, breaking, quiet = await posts(harness, harness.channel, 3)
    assert breaking["embeds"][0]["title"].startswith("Breaking")
    assert pinged_only(breaking, news), breaking
    assert pinged_nobody(quiet) and not quiet["content"], quiet
    sent = harness.fake.channel_messages(harness.channel)
    assert all(m["mention_everyone"] is False for m in sent)

    every = await feed_command(harness, "mention", {"subscription": sub_id, "role": news})
    assert "with every item it posts" in reply_text(every)
    hostile_item(feeds, feed, "Another quiet day", other, user)
    await harness.bot.feeds.poll_now((await harness.bot.store.list_feeds())[0].id)
    *_, last = await posts(harness, harness.channel, 4)
    assert pinged_only(last, news), last

    off = await feed_command(harness, "mention", {"subscription": sub_id})
    assert "pings nobody now" in reply_text(off)
    hostile_item(feeds, feed, "Breaking again", other, user)
    await harness.bot.feeds.poll_now((await harness.bot.store.list_feeds())[0].id)
    *_, after = await posts(harness, harness.channel, 5)
    assert pinged_nobody(after) and not after["content"], after


async def test_role_mentions_in_forum_posts_and_thread_per_post(
    harness: Harness, feeds: FeedServer
) -> None:
    fake, guild = harness.fake, int(harness.guild["id"])
    news = await fake.create_role(guild, "news", mentionable=True)
    other = await fake.create_role(guild, "other", mentionable=True)
    feed = live_feed(feeds, items=1)
    forum = await make_forum(harness, ["Local"])
    forum_sub = await subscribe(harness, feeds, {"channel": forum["id"], "tag": "Local"})
    await until(posts_in(harness, forum["id"], 1), "the first forum post")
    other_feed = live_feed(feeds, "/other.xml", items=1)
    view = await feed_command(harness, "add", {"url": feeds.url("/other.xml"), "thread": True})
    assert "Following" in reply_text(view)
    thread_sub = next(s.id for s in await harness.bot.store.list_subscriptions(guild_id=guild)
                      if s.id != forum_sub)  # fmt: skip
    await posts(harness, harness.channel, 1)
    for sub_id in (forum_sub, thread_sub):
        ok = await feed_command(harness, "mention",
                                {"subscription": sub_id, "role": news, "when": "not title:quiet"})
        assert "now pings" in reply_text(ok)

    hostile_item(feeds, feed, "Storm warning", other, 4242)
    hostile_item(feeds, feed, "A quiet evening", other, 4242)
    hostile_item(feeds, other_feed, "Storm warning too", other, 4242)
    for f in await harness.bot.store.list_feeds():
        await harness.bot.feeds.poll_now(f.id)
    found = await until(posts_in(harness, forum["id"], 3), "two more forum posts")
    by_name = {p["name"].split(" @")[0]: p["messages"][0] for p in found}
    assert pinged_only(by_name["Storm warning"], news), by_name["Storm warning"]
    assert pinged_nobody(by_name["A quiet evening"]) and not by_name["A quiet evening"]["content"]
    *_, storm = await posts(harness, harness.channel, 2)
    assert pinged_only(storm, news), storm
    await until(lambda: harness.fake.threads(harness.channel), "the thread on the post")
    for message in harness.fake.channel_messages(harness.channel):
        assert message["mention_everyone"] is False and str(other) not in message["mention_roles"]


async def test_help_lists_filter_and_mention(harness: Harness) -> None:
    inter = await harness.fake.fire_slash_command("precis help", {}, channel_id=harness.channel)
    text = (await harness.fake.wait_for_reply(inter["id"]))["initial"]["data"]["content"]
    assert "/feed filter subscription:" in text and "/feed mention subscription:" in text
    assert r'title matches "\bNATO\b"' in text and len(text) <= 2000
    commands = harness.fake.world.find_command("feed", int(harness.guild["id"]), 1)
    assert commands is not None
    names = {o["name"] for o in commands["options"]}
    assert {"filter", "mention"} <= names


async def test_feed_group_turns_same_story_grouping_off_and_on(
    harness: Harness, feeds: FeedServer
) -> None:
    live_feed(feeds, items=1)
    sub_id = await subscribe(harness, feeds, {"group": False})
    assert (await harness.bot.store.get_subscription(sub_id)).group_stories is False  # type: ignore[union-attr]
    view = await feed_command(harness, "group", {"subscription": sub_id, "enabled": True})
    assert view["ephemeral"] and "adds each report of a story" in reply_text(view)
    assert (await harness.bot.store.get_subscription(sub_id)).group_stories is True  # type: ignore[union-attr]
    view = await feed_command(harness, "group", {"subscription": sub_id, "enabled": False})
    assert "posts every item" in reply_text(view)
    missing = await feed_command(harness, "group", {"subscription": 999, "enabled": True})
    assert "There is no feed `#999`" in reply_text(missing)
    inter = await harness.fake.fire_slash_command("precis help", {}, channel_id=harness.channel)
    text = (await harness.fake.wait_for_reply(inter["id"]))["initial"]["data"]["content"]
    assert "`/feed group`" in text and "group:False" in text and len(text) <= 2000
