"""Forum channels and a thread per post, end to end: the real bot, the Discord emulator,
feeds on loopback, a real SQLite file."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.cogs.test_feeds import add_items, feed_command, live_feed, reply_text, story_page
from tests.discord_adapter.conftest import Harness
from tests.feeds.feedserver import FeedServer


@pytest.fixture
def bot_overrides() -> dict[str, Any]:
    # the tests poll explicitly; failed posts are retried after 1 s; posts archive in 3 days
    return {"feed_poll_interval": 3600, "feed_retry_seconds": 1,
            "feed_thread_archive_minutes": 4320}  # fmt: skip


async def until(predicate: Any, what: str, timeout: float = 30) -> Any:
    for _ in range(int(timeout * 10)):
        found = predicate()
        if found:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


async def make_forum(h: Harness, tags: list[str], *, require_tag: bool = False) -> dict:
    forum = await h.fake.create_forum(h.guild["id"], "press", tags, require_tag=require_tag)
    await until(lambda: h.bot.get_channel(forum["id"]), "the forum in the bot's cache")
    return forum


async def until_sent(h: Harness, sub_id: int, count: int, timeout: float = 30) -> list:
    for _ in range(int(timeout * 10)):
        sent = await h.bot.store.sent_items(sub_id)
        if len(sent) >= count:
            return sent
        await asyncio.sleep(0.1)
    raise AssertionError(f"subscription {sub_id}: fewer than {count} posts recorded")


def posts_in(h: Harness, forum_id: int, count: int) -> Any:
    return lambda: (found := h.fake.threads(forum_id)) and len(found) >= count and found


async def test_forum_items_become_tagged_posts_named_after_the_item(
    harness: Harness, feeds: FeedServer
) -> None:
    feed = live_feed(feeds, items=2)
    forum = await make_forum(harness, ["Local", "World"])
    view = await feed_command(
        harness, "add", {"url": feeds.url("/feed.xml"), "channel": forum["id"], "tag": "local"}
    )
    assert "forum post per item tagged **Local**" in reply_text(view)
    [post] = await until(posts_in(harness, forum["id"], 1), "the first forum post")
    assert post["name"] == "Story number 2 about the harbour"
    assert post["applied_tags"] == [str(forum["tags"]["Local"])]
    assert post["owner_id"] == str(harness.fake.bot_id)
    assert post["thread_metadata"]["auto_archive_duration"] == 4320
    [first] = post["messages"]
    assert first["embeds"][0]["title"] == "Harbour story 2"
    assert "via Loopback News" in first["embeds"][0]["footer"]["text"]
    assert first["allowed_mentions"] == {"parse": []}

    add_items(feeds, feed, 2)
    sub = (await harness.bot.store.list_subscriptions(channel_id=forum["id"]))[0]
    await harness.bot.feeds.poll_now(sub.feed_id)
    found = await until(posts_in(harness, forum["id"], 3), "two more posts")
    await asyncio.sleep(1)
    assert [p["name"] for p in harness.fake.threads(forum["id"])] == [
        f"Story number {n} about the harbour" for n in (2, 3, 4)]  # fmt: skip
    assert all(p["applied_tags"] == [str(forum["tags"]["Local"])] for p in found)
    assert harness.fake.channel_messages(forum["id"]) == []  # nothing outside the posts
    sent = await harness.bot.store.sent_items(sub.id)
    assert [m for _, m in sent] == [int(p["id"]) for p in found]
    listing = reply_text(await feed_command(harness, "list", {}))
    assert f"<#{forum['id']}> (forum, tag: Local)" in listing


async def test_forum_and_thread_options_are_checked_at_feed_add(
    harness: Harness, feeds: FeedServer
) -> None:
    live_feed(feeds, items=1)
    url = feeds.url("/feed.xml")
    forum = await make_forum(harness, ["Local", "World"])
    strict = await make_forum(harness, ["Sport"], require_tag=True)
    bare = await make_forum(harness, [])
    news = int(harness.guild["channels"]["news"])
    cases = [
        ({"channel": forum["id"], "tag": "Weather"}, ["no tag “Weather”", "`Local`, `World`"]),
        ({"channel": strict["id"]}, ["requires a tag", "`Sport`"]),
        ({"channel": bare["id"], "tag": "Sport"}, ["has no tags"]),
        ({"channel": forum["id"], "thread": True}, ["`thread:` is for text channels"]),
        ({"channel": news, "tag": "Local"}, ["`tag:` is for forum channels"]),
    ]
    for options, expected in cases:
        view = await feed_command(harness, "add", {"url": url, **options})
        text = reply_text(view)
        assert view["ephemeral"], text
        assert all(part in text for part in expected), text
    assert await harness.bot.store.list_subscriptions(guild_id=int(harness.guild["id"])) == []
    assert feeds.hits.get("/feed.xml", 0) == 0  # refused before anything was fetched
    ok = await feed_command(harness, "add", {"url": url, "channel": strict["id"], "tag": "sport"})
    assert "tagged **Sport**" in reply_text(ok)
    [post] = await until(posts_in(harness, strict["id"], 1), "the post in the strict forum")
    assert post["applied_tags"] == [str(strict["tags"]["Sport"])]


async def test_a_forum_post_whose_answer_was_lost_is_found_not_posted_twice(
    harness: Harness, feeds: FeedServer
) -> None:
    live_feed(feeds, items=1)
    forum = await make_forum(harness, ["Local"])
    # Discord creates the post but answers 500: the bot cannot know it exists.
    harness.fake.inject_fault("POST", rf"^/channels/{forum['id']}/threads$", kind="fail_after",
                              status=500)  # fmt: skip
    await feed_command(harness, "add", {"url": feeds.url("/feed.xml"), "channel": forum["id"]})
    sub = (await harness.bot.store.list_subscriptions(channel_id=forum["id"]))[0]
    await until_sent(harness, sub.id, 1)
    await asyncio.sleep(2)  # time for a duplicate to appear
    threads = harness.fake.threads(forum["id"])
    assert len(threads) == 1, threads
    creations = harness.fake.requests("POST", rf"^/channels/{forum['id']}/threads$")
    assert [r["status"] for r in creations] == [500]  # asked once; then found, not re-created
    assert harness.fake.requests("GET", rf"^/guilds/{harness.guild['id']}/threads/active$")
    sent = await harness.bot.store.sent_items(sub.id)
    assert sent == [(sent[0][0], int(threads[0]["id"]))]


async def test_a_lost_forum_post_archived_meanwhile_is_still_found(
    harness: Harness, feeds: FeedServer
) -> None:
    live_feed(feeds, items=1)
    forum = await make_forum(harness, [])
    harness.fake.inject_fault("POST", rf"^/channels/{forum['id']}/threads$", kind="fail_after",
                              status=502)  # fmt: skip
    await feed_command(harness, "add", {"url": feeds.url("/feed.xml"), "channel": forum["id"]})
    [post] = await until(posts_in(harness, forum["id"], 1), "the post")
    await harness.fake.archive_thread(int(post["id"]))  # before the retry (1 s) looks
    sub = (await harness.bot.store.list_subscriptions(channel_id=forum["id"]))[0]
    sent = await until_sent(harness, sub.id, 1)
    await asyncio.sleep(1.5)
    assert len(harness.fake.threads(forum["id"])) == 1
    assert sent[0][1] == int(post["id"])
    assert harness.fake.requests("GET", rf"^/channels/{forum['id']}/threads/archived/public")


async def test_thread_per_post_in_a_text_channel(harness: Harness, feeds: FeedServer) -> None:
    feed = live_feed(feeds, items=1)
    news = int(harness.guild["channels"]["news"])
    view = await feed_command(harness, "add", {"url": feeds.url("/feed.xml"), "channel": news,
                                               "thread": True})  # fmt: skip
    assert "a thread on each post" in reply_text(view)
    [thread] = await until(posts_in(harness, news, 1), "the thread")
    [message] = [m for m in harness.fake.channel_messages(news) if m.get("embeds")]
    assert thread["id"] == message["id"]  # started on the post itself
    assert thread["name"] == "Story number 1 about the harbour"
    assert thread["thread_metadata"]["auto_archive_duration"] == 4320
    # A thread asked for again answers 160004: done, not an error. Here the first answer
    # is lost (500 although the thread exists), so the retry meets 160004.
    harness.fake.inject_fault("POST", rf"^/channels/{news}/messages/\d+/threads$",
                              kind="fail_after", status=500)  # fmt: skip
    entry = feed.add(1, link_base=feeds.url(""))[0]
    entry.title = "A long title " + "about the harbour council and its market hall " * 4
    feeds.file(f"/story/{entry.n}", story_page(entry.n), "text/html; charset=utf-8")
    sub = (await harness.bot.store.list_subscriptions(channel_id=news))[0]
    await harness.bot.feeds.poll_now(sub.feed_id)
    await until_sent(harness, sub.id, 2)
    await asyncio.sleep(1.5)
    threads = harness.fake.threads(news)
    assert len(threads) == 2
    statuses = [r["status"] for r in harness.fake.requests("POST", r"/messages/\d+/threads$")]
    assert statuses == [201, 500, 400]
    name = threads[1]["name"]
    assert len(name) <= 100 and name.endswith("…") and name.startswith("A long title about")
    assert name[:-1] == name[:-1].rstrip() and entry.title.startswith(name[:-1])
    assert (await harness.bot.store.delivery_counts(sub.id)) == {"sent": 2}
    listing = reply_text(await feed_command(harness, "list", {}))
    assert f"<#{news}> (thread per post)" in listing


async def test_lost_thread_permission_pauses_then_resume_threads_the_same_post(
    harness: Harness, feeds: FeedServer
) -> None:
    feed = live_feed(feeds, items=1)
    news = int(harness.guild["channels"]["news"])
    await harness.fake.set_channel_permission(news, can_thread=False)
    refused = await feed_command(harness, "add", {"url": feeds.url("/feed.xml"), "channel": news,
                                                  "thread": True})  # fmt: skip
    assert "Create Public Threads" in reply_text(refused) and refused["ephemeral"]
    await harness.fake.set_channel_permission(news, can_thread=True)
    await feed_command(harness, "add", {"url": feeds.url("/feed.xml"), "channel": news,
                                        "thread": True})  # fmt: skip
    await until(posts_in(harness, news, 1), "the first thread")
    await harness.fake.set_channel_permission(news, can_thread=False)
    add_items(feeds, feed, 1)
    sub = (await harness.bot.store.list_subscriptions(channel_id=news))[0]
    await harness.bot.feeds.poll_now(sub.feed_id)

    async def paused() -> bool:
        current = await harness.bot.store.get_subscription(sub.id)
        return bool(current and current.paused)

    for _ in range(300):
        if await paused():
            break
        await asyncio.sleep(0.1)
    assert await paused()
    notice = await until(lambda: [m for m in harness.fake.channel_messages(news)
                                  if "paused" in m["content"].lower()], "the notice")  # fmt: skip
    assert "start threads" in notice[0]["content"]
    assert len(harness.fake.threads(news)) == 1
    await harness.fake.set_channel_permission(news, can_thread=True)
    await feed_command(harness, "resume", {"subscription": sub.id})
    await until(posts_in(harness, news, 2), "the thread after the resume")
    await asyncio.sleep(1)
    posts = [m for m in harness.fake.channel_messages(news) if m.get("embeds")]
    assert len(posts) == 2  # the message was not posted again, only its thread started
    assert [t["id"] for t in harness.fake.threads(news)] == [p["id"] for p in posts]


async def test_help_lists_the_forum_and_thread_options(harness: Harness) -> None:
    inter = await harness.fake.fire_slash_command("precis help", {}, channel_id=harness.channel)
    text = (await harness.fake.wait_for_reply(inter["id"]))["initial"]["data"]["content"]
    assert "/feed add" in text and "thread:True" in text and "tag:" in text
    assert "forum" in text and len(text) <= 2000


async def test_a_forum_closed_to_the_bot_pauses_and_the_server_is_told(
    harness: Harness, feeds: FeedServer
) -> None:
    feed = live_feed(feeds, items=1)
    forum = await make_forum(harness, [])
    await feed_command(harness, "add", {"url": feeds.url("/feed.xml"), "channel": forum["id"]})
    await until(posts_in(harness, forum["id"], 1), "the first post")
    await harness.fake.set_channel_permission(forum["id"], can_send=False)
    add_items(feeds, feed, 1)
    sub = (await harness.bot.store.list_subscriptions(channel_id=forum["id"]))[0]
    await harness.bot.feeds.poll_now(sub.feed_id)
    # A forum takes no plain message: the notice goes where the server can read it.
    notice = await until(lambda: [m for m in harness.fake.channel_messages(harness.channel)
                                  if "paused" in m["content"].lower()], "the notice")  # fmt: skip
    assert f"<#{forum['id']}>" in notice[0]["content"]
    assert "create posts" in notice[0]["content"]
    current = await harness.bot.store.get_subscription(sub.id)
    assert current is not None and current.paused
    assert len(harness.fake.threads(forum["id"])) == 1
    await harness.fake.set_channel_permission(forum["id"], can_send=True)
    await feed_command(harness, "resume", {"subscription": sub.id})
    await until(posts_in(harness, forum["id"], 2), "the post after the resume")
    await asyncio.sleep(1)
    assert len(harness.fake.threads(forum["id"])) == 2


async def test_a_tag_deleted_from_the_forum_pauses_the_feed_with_the_reason(
    harness: Harness, feeds: FeedServer
) -> None:
    feed = live_feed(feeds, items=1)
    forum = await make_forum(harness, ["Local"])
    await feed_command(harness, "add", {"url": feeds.url("/feed.xml"), "channel": forum["id"],
                                        "tag": "Local"})  # fmt: skip
    await until(posts_in(harness, forum["id"], 1), "the first post")
    harness.fake.world.channels[forum["id"]].available_tags = []  # a moderator deletes it
    add_items(feeds, feed, 1)
    sub = (await harness.bot.store.list_subscriptions(channel_id=forum["id"]))[0]
    await harness.bot.feeds.poll_now(sub.feed_id)
    notice = await until(lambda: [m for m in harness.fake.channel_messages(harness.channel)
                                  if "paused" in m["content"].lower()], "the notice")  # fmt: skip
    assert "tag no longer exists" in notice[0]["content"]
    current = await harness.bot.store.get_subscription(sub.id)
    assert current is not None and current.paused
    assert len(harness.fake.threads(forum["id"])) == 1


async def test_forum_posts_follow_the_server_settings(harness: Harness, feeds: FeedServer) -> None:
    # The per-server defaults (issue 13 §4) reach forum posts as they reach channel posts:
    # the colour, the sentence count and entities of the moment an item is posted.
    from tests.cogs.test_settings import bullets, settings

    await settings(harness, {"sentences": 2, "entities": False, "color": "#abcdef"})
    live_feed(feeds, items=1)
    forum = await make_forum(harness, ["Local"])
    await feed_command(harness, "add", {"url": feeds.url("/feed.xml"), "channel": forum["id"]})
    [post] = await until(posts_in(harness, forum["id"], 1), "the forum post")
    embed = post["messages"][0]["embeds"][0]
    assert embed["color"] == 0xABCDEF
    assert bullets(embed) == 2 and "fields" not in embed
