from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.discord_adapter.notices import status_text
from bot.errors import InputError, TooLarge
from bot.feeds.rows import AlreadySubscribed, delivery_nonce
from bot.feeds.runtime import DeliveryResult, FeedsConfig
from bot.feeds.schema import utcnow
from bot.feeds.service import FeedService
from bot.feeds.store import Store
from tests.feeds.conftest import FAST, LOOPBACK, PollerFactory
from tests.feeds.feedserver import FakeSink, FakeSummarizer, FeedServer

GUILD, CHAN, CHAN2 = 111, 222, 333


async def wait_for(predicate, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        if loop.time() > end:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


async def test_subscribe_posts_only_the_newest_item(
    server: FeedServer, poller: FeedService, sink: FakeSink
) -> None:
    live = server.feed("/news.xml")
    live.add(10)
    sub, title, count = await poller.add_subscription(server.url("/news.xml"), GUILD, CHAN)
    assert (title, count) == ("Loopback News", 10)
    assert await poller.run_deliveries() == 1
    assert [p.title for p in sink.posts] == ["Story 10"]
    post = sink.posts[0]
    assert len(post.nonce) <= 25 and post.nonce == delivery_nonce(sub.id, post.item_key)
    # Nothing else is queued: the other nine are seen.
    assert await poller.run_deliveries() == 0
    result = await poller.poll_now(sub.feed_id)
    assert result.status == "not_modified"
    assert len(sink.posts) == 1


async def test_new_items_are_posted_once_oldest_first(
    server: FeedServer, poller: FeedService, sink: FakeSink, store: Store
) -> None:
    live = server.feed("/news.xml")
    live.add(3)
    sub, _, _ = await poller.add_subscription(server.url("/news.xml"), GUILD, CHAN)
    await poller.run_deliveries()
    live.add(3)
    result = await poller.poll_now(sub.feed_id)
    assert (result.status, result.new_items, result.queued) == ("ok", 3, 3)
    await poller.run_deliveries()
    assert sink.titles() == ["Story 3", "Story 4", "Story 5", "Story 6"]
    # Polling again, even without the 304 shortcut, finds nothing new.
    live.conditional = False
    result = await poller.poll_now(sub.feed_id)
    assert (result.status, result.new_items) == ("ok", 0)
    await poller.run_deliveries()
    assert len(sink.posts) == 4
    assert [k for k, _ in await store.sent_items(sub.id)] == [p.item_key for p in sink.posts]


async def test_backlog_option_posts_the_feed_oldest_first(
    server: FeedServer, poller: FeedService, sink: FakeSink
) -> None:
    server.feed("/news.xml").add(4)
    await poller.add_subscription(server.url("/news.xml"), GUILD, CHAN, backlog=True)
    await poller.run_deliveries()
    assert sink.titles() == ["Story 1", "Story 2", "Story 3", "Story 4"]


async def test_conditional_get_gets_304_and_does_no_work(
    server: FeedServer, poller: FeedService, sink: FakeSink, store: Store
) -> None:
    live = server.feed("/news.xml")
    live.add(2)
    sub, _, _ = await poller.add_subscription(server.url("/news.xml"), GUILD, CHAN)
    result = await poller.poll_now(sub.feed_id)
    sent = live.fetch_headers[-1]
    assert sent["If-None-Match"] == live.etag
    assert sent["If-Modified-Since"] == live.last_modified
    assert result.status == "not_modified"
    feed = await store.get_feed(sub.feed_id)
    assert feed is not None and feed.failure_count == 0 and feed.last_success is not None
    assert feed.next_poll > utcnow() + dt.timedelta(seconds=40)  # 60 s ± 10 %


async def test_guid_churn_does_not_repost(
    server: FeedServer, poller: FeedService, sink: FakeSink
) -> None:
    live = server.feed("/churn.xml", churn_guids=True)
    live.add(5)
    sub, _, _ = await poller.add_subscription(server.url("/churn.xml"), GUILD, CHAN)
    await poller.run_deliveries()
    for _ in range(3):
        result = await poller.poll_now(sub.feed_id)
        assert (result.status, result.new_items) == ("ok", 0)
    live.add(1)  # a genuinely new story is still noticed
    result = await poller.poll_now(sub.feed_id)
    assert result.new_items == 1
    await poller.run_deliveries()
    assert sink.titles() == ["Story 5", "Story 6"]


async def test_failing_feed_backs_off_tells_once_and_announces_recovery(
    server: FeedServer, poller: FeedService, sink: FakeSink, store: Store
) -> None:
    live = server.feed("/flaky.xml")
    live.add(2)
    sub, _, _ = await poller.add_subscription(server.url("/flaky.xml"), GUILD, CHAN)
    await poller.run_deliveries()
    live.status = 500
    gaps = []
    for _ in range(5):
        before = utcnow()
        result = await poller.poll_now(sub.feed_id)
        assert result.status == "failed" and "500" in (result.error or "")
        assert result.next_poll is not None
        gaps.append((result.next_poll - before).total_seconds())
        await poller.run_deliveries()
    assert gaps == sorted(gaps) and gaps[-1] > 4 * gaps[0]
    assert gaps[-1] <= 6 * 3600 * 1.1
    listed = await store.list_subscriptions(channel_id=CHAN)
    assert listed[0].status == "failing" and "failing since" in status_text(listed[0])
    failing = [t for _, _, t in sink.notices if "failed" in t]
    assert len(failing) == 1 and "Loopback News" in failing[0] and "500" in failing[0]
    live.status = 200
    live.add(1)
    result = await poller.poll_now(sub.feed_id)
    assert result.status == "ok"
    await poller.poll_now(sub.feed_id)
    await poller.run_deliveries()
    recovered = [t for _, _, t in sink.notices if t.startswith("\u2705")]
    assert len(recovered) == 1 and len(sink.notices) == 2
    assert sink.titles() == ["Story 2", "Story 3"]
    assert (await store.list_subscriptions(channel_id=CHAN))[0].status == "healthy"


async def test_unparsable_feed_counts_as_a_failure(
    server: FeedServer, poller: FeedService, store: Store
) -> None:
    live = server.feed("/news.xml")
    live.add(1)
    sub, _, _ = await poller.add_subscription(server.url("/news.xml"), GUILD, CHAN)
    live.body_override = b"this is not a feed at all, just words"
    live.conditional = False
    result = await poller.poll_now(sub.feed_id)
    assert result.status == "failed" and "not an RSS" in (result.error or "")


async def test_sink_retry_delivers_later_exactly_once(
    server: FeedServer, poller: FeedService, sink: FakeSink, store: Store
) -> None:
    server.feed("/news.xml").add(1)
    sink.script = [DeliveryResult.retry(0.4, "Discord answered 503")]
    sub, _, _ = await poller.add_subscription(server.url("/news.xml"), GUILD, CHAN)
    await poller.run_deliveries()
    assert sink.posts == [] and len(sink.attempts) == 1
    counts = await store.delivery_counts(sub.id)
    assert counts == {"pending": 1}
    await asyncio.sleep(0.5)
    await poller.run_deliveries()
    await poller.run_deliveries()
    assert sink.titles() == ["Story 1"] and len(sink.attempts) == 2
    assert await store.delivery_counts(sub.id) == {"sent": 1}
    assert sink.attempts[0].nonce == sink.attempts[1].nonce


async def test_a_sink_that_raises_is_retried_and_the_poller_goes_on(
    server: FeedServer, poller: FeedService, sink: FakeSink, store: Store,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    server.feed("/news.xml").add(1)
    server.feed("/other.xml").add(1)
    sink.script = ["raise"]
    sub, _, _ = await poller.add_subscription(server.url("/news.xml"), GUILD, CHAN)
    with caplog.at_level("ERROR", logger="bot.poller"):
        await poller.run_deliveries()
    assert sink.posts == [] and await store.delivery_counts(sub.id) == {"pending": 1}
    assert any("sink failed on delivery" in r.getMessage() for r in caplog.records)
    await asyncio.sleep(0.5)  # delivery_retry_base is 0.4 s here
    await poller.run_deliveries()
    assert sink.titles() == ["Story 1"]
    assert await store.delivery_counts(sub.id) == {"sent": 1}
    # The notice that a channel is gone fails once in the sink too, and is sent later.
    sink.script = [DeliveryResult.gone("the channel was deleted")]
    sink.notice_script = ["raise"]
    await poller.add_subscription(server.url("/other.xml"), GUILD, CHAN2)
    with caplog.at_level("ERROR", logger="bot.poller"):
        await poller.run_deliveries()
    assert any("sink failed on notice" in r.getMessage() for r in caplog.records)
    assert sink.notice_script == []  # the failing attempt happened (and was retried: below)
    await asyncio.sleep(0.5)
    await poller.run_deliveries()
    assert len(sink.notices) == 1 and "paused" in sink.notices[0][2]


async def test_retry_keeps_order_within_a_channel(
    server: FeedServer, poller: FeedService, sink: FakeSink
) -> None:
    live = server.feed("/news.xml")
    live.add(1)
    sub, _, _ = await poller.add_subscription(server.url("/news.xml"), GUILD, CHAN)
    await poller.run_deliveries()
    live.add(3)
    sink.script = [DeliveryResult.retry(1.0, "429 Too Many Requests")]
    await poller.poll_now(sub.feed_id)
    await poller.run_deliveries()
    assert sink.titles() == ["Story 1"]  # story 2 waits, so 3 and 4 wait too
    await asyncio.sleep(1.05)
    await poller.run_deliveries()
    assert sink.titles() == ["Story 1", "Story 2", "Story 3", "Story 4"]


async def test_gone_channel_pauses_and_tells_the_server(
    server: FeedServer, poller: FeedService, sink: FakeSink, store: Store
) -> None:
    live = server.feed("/news.xml")
    live.add(1)
    sink.script = [DeliveryResult.gone("the bot lost permission to post in the channel")]
    sub, _, _ = await poller.add_subscription(server.url("/news.xml"), GUILD, CHAN)
    await poller.run_deliveries()
    paused = await store.get_subscription(sub.id)
    assert paused is not None and paused.paused and paused.status == "paused"
    assert "lost permission" in (paused.paused_reason or "")
    assert len(sink.notices) == 1 and "paused" in sink.notices[0][2]
    assert sink.notices[0][:2] == (GUILD, CHAN)
    # A paused-only feed is not polled; its queued post waits for the resume.
    assert await store.due_feeds(utcnow() + dt.timedelta(days=1), 10) == []
    live.add(2)  # published during the pause: not posted as a flood on resume
    await poller.resume_subscription(sub.id, guild_id=GUILD)
    await poller.run_deliveries()
    assert sink.titles() == ["Story 1"]


async def test_restart_resumes_pending_without_loss_or_duplicate(
    server: FeedServer, store: Store, db_url: str, sink: FakeSink, summarizer: FakeSummarizer
) -> None:
    live = server.feed("/news.xml")
    live.add(1)
    first = FeedService(store, summarizer, sink, FAST, limits=LOOPBACK)
    sub, _, _ = await first.add_subscription(server.url("/news.xml"), GUILD, CHAN)
    await first.run_deliveries()
    live.add(3)
    # Discord creates story 2, then the bot dies before hearing back; 3 and 4 wait.
    sink.script = ["post-then-hang"]
    await first.start()
    await first.poll_now(sub.feed_id)
    await wait_for(lambda: len(sink.posts) == 2)
    started = asyncio.get_running_loop().time()
    await first.stop()
    assert asyncio.get_running_loop().time() - started < 2.0
    await store.close()

    reopened = await Store.open(db_url)
    try:
        assert (await reopened.delivery_counts(sub.id)) == {"sent": 1, "pending": 3}
        second = FeedService(reopened, summarizer, sink, FAST, limits=LOOPBACK)
        await second.run_deliveries()
        await second.stop()
        assert sink.titles() == ["Story 1", "Story 2", "Story 3", "Story 4"]
        assert len({p.nonce for p in sink.posts}) == 4
        assert (await reopened.delivery_counts(sub.id)) == {"sent": 4}
        # Story 2 was attempted twice with one nonce: Discord kept one message.
        story2 = [d for d in sink.attempts if d.item.title == "Story number 2 about the harbour"]
        assert len(story2) == 2 and story2[0].nonce == story2[1].nonce
    finally:
        await reopened.close()


async def test_two_channels_one_fetch_two_posts(
    server: FeedServer, poller: FeedService, sink: FakeSink, store: Store,
    summarizer: FakeSummarizer,
) -> None:
    live = server.feed("/news.xml")
    live.add(1)
    a, _, _ = await poller.add_subscription(server.url("/news.xml"), GUILD, CHAN)
    b, _, _ = await poller.add_subscription(server.url("/news.xml"), GUILD, CHAN2)
    assert a.feed_id == b.feed_id
    await poller.run_deliveries()
    live.add(1)
    fetches = live.fetches
    await poller.start()
    await store.set_next_poll(a.feed_id, utcnow())
    poller.rt.wake_poll.set()
    await wait_for(lambda: len(sink.posts) == 4)
    assert live.fetches == fetches + 1
    assert sink.titles(CHAN) == ["Story 1", "Story 2"]
    assert sink.titles(CHAN2) == ["Story 1", "Story 2"]
    # ... and one summary for both channels.
    assert [c[0] for c in summarizer.calls].count("https://news.example.com/story/2") == 1


async def test_flood_is_capped_and_announced(
    server: FeedServer, poller: FeedService, sink: FakeSink
) -> None:
    live = server.feed("/flood.xml", window=600)
    live.add(1)
    sub, _, _ = await poller.add_subscription(server.url("/flood.xml"), GUILD, CHAN)
    await poller.run_deliveries()
    live.add(500)
    result = await poller.poll_now(sub.feed_id)
    assert (result.new_items, result.queued) == (500, 5)
    await poller.run_deliveries()
    assert sink.titles()[1:] == [f"Story {n}" for n in range(497, 502)]
    assert len(sink.notices) == 1
    assert "500 new items" in sink.notices[0][2] and "495" in sink.notices[0][2]
    live.add(1)
    await poller.poll_now(sub.feed_id)
    await poller.run_deliveries()
    assert sink.titles()[-1] == "Story 502" and len(sink.posts) == 7


async def test_site_page_is_discovered(server: FeedServer, poller: FeedService) -> None:
    server.feed("/feed.xml").add(2)
    page = b"""<!doctype html><html><head><title>Site</title>
    <link rel="alternate" type="application/rss+xml" title="RSS" href="/feed.xml">
    </head><body><p>Hello</p></body></html>"""
    url = server.file("/", page, "text/html; charset=utf-8")
    sub, title, count = await poller.add_subscription(url, GUILD, CHAN)
    assert (title, count) == ("Loopback News", 2)
    assert sub.feed_url == server.url("/feed.xml")


async def test_page_without_feed_and_non_feed_are_refused(
    server: FeedServer, poller: FeedService
) -> None:
    page = server.file("/page", b"<html><body><p>No feed here</p></body></html>", "text/html")
    with pytest.raises(InputError, match="does not link to an RSS or Atom feed"):
        await poller.add_subscription(page, GUILD, CHAN)
    text = server.file("/notes.txt", b"plain words, nothing else", "text/plain")
    with pytest.raises(InputError, match="not an RSS, Atom or JSON feed"):
        await poller.add_subscription(text, GUILD, CHAN)
    with pytest.raises(InputError):
        await poller.add_subscription("   ", GUILD, CHAN)


async def test_oversized_feed_is_refused_with_a_reason(
    server: FeedServer, make_poller: PollerFactory
) -> None:
    live = server.feed("/big.xml", window=1000)
    live.add(400)
    small = await make_poller(FeedsConfig(max_feed_bytes=20_000))
    with pytest.raises(TooLarge, match="too large"):
        await small.add_subscription(server.url("/big.xml"), GUILD, CHAN)


async def test_already_subscribed_is_refused(server: FeedServer, poller: FeedService) -> None:
    server.feed("/news.xml").add(1)
    await poller.add_subscription(server.url("/news.xml"), GUILD, CHAN)
    with pytest.raises(AlreadySubscribed):
        await poller.add_subscription(server.url("/news.xml"), GUILD, CHAN)


async def test_keyword_filters(server: FeedServer, poller: FeedService, sink: FakeSink) -> None:
    live = server.feed("/news.xml")
    live.add(1)
    sub, _, _ = await poller.add_subscription(
        server.url("/news.xml"), GUILD, CHAN, include=["day 2", "day 3"], exclude=["day 3"]
    )
    await poller.run_deliveries()
    assert sink.posts == []  # story 1 does not match
    live.add(3)
    await poller.poll_now(sub.feed_id)
    await poller.run_deliveries()
    assert sink.titles() == ["Story 2"]


async def test_dead_link_falls_back_to_the_feeds_own_content(
    server: FeedServer, poller: FeedService, sink: FakeSink, summarizer: FakeSummarizer
) -> None:
    server.feed("/news.xml").add(1)
    summarizer.fail_links = True
    await poller.add_subscription(server.url("/news.xml"), GUILD, CHAN, sentences=2)
    await poller.run_deliveries()
    assert sink.titles() == ["Story 1"]
    assert [c[0] for c in summarizer.calls] == ["https://news.example.com/story/1", None]
    assert summarizer.calls[-1][1:] == (
        "<p>Story 1: the <b>harbour</b> council met on day 1.</p>",
        2,
    )
    assert poller.stats.fallbacks == 1


async def test_nothing_summarizable_still_posts_title_and_text(
    server: FeedServer, poller: FeedService, sink: FakeSink, summarizer: FakeSummarizer
) -> None:
    async def broken(*_args: object) -> None:
        raise InputError("too short to summarize")

    server.feed("/news.xml").add(1)
    poller.items.summarize = broken  # type: ignore[assignment]
    await poller.add_subscription(server.url("/news.xml"), GUILD, CHAN)
    await poller.run_deliveries()
    assert sink.titles() == ["Story number 1 about the harbour"]


async def test_remove_and_list(server: FeedServer, poller: FeedService, store: Store) -> None:
    server.feed("/news.xml").add(1)
    a, _, _ = await poller.add_subscription(server.url("/news.xml"), GUILD, CHAN)
    b, _, _ = await poller.add_subscription(server.url("/news.xml"), 999, CHAN2)
    assert [s.id for s in await store.list_subscriptions(guild_id=GUILD)] == [a.id]
    assert await poller.remove_subscription(a.id, guild_id=999) is None  # other server's
    assert await poller.remove_subscription(a.id, guild_id=GUILD) is not None
    assert await store.get_feed(a.feed_id) is not None  # b still follows it
    await poller.remove_subscription(b.id)
    assert await store.get_feed(a.feed_id) is None
    assert (await store.stats())["items"] == 0


async def test_preview_changes_nothing(
    server: FeedServer, poller: FeedService, sink: FakeSink, store: Store
) -> None:
    live = server.feed("/news.xml")
    live.add(2)
    sub, _, _ = await poller.add_subscription(server.url("/news.xml"), GUILD, CHAN)
    live.add(1)
    item, summary = await poller.preview(sub.id, guild_id=GUILD)
    assert item.title == "Story number 3 about the harbour" and summary.title == "Story 3"
    result = await poller.poll_now(sub.feed_id)
    assert result.new_items == 1  # the preview did not mark it seen


async def test_running_flags_and_quick_stop(poller: FeedService) -> None:
    assert not poller.running
    await poller.start()
    await asyncio.sleep(0.1)
    assert poller.running and poller.healthy
    started = asyncio.get_running_loop().time()
    await poller.stop()
    assert asyncio.get_running_loop().time() - started < 1.0
    assert not poller.running and not poller.healthy


async def test_scheduler_polls_due_feeds_on_its_own(
    server: FeedServer, make_poller: PollerFactory, sink: FakeSink, store: Store
) -> None:
    live = server.feed("/news.xml")
    live.add(1)
    fast = await make_poller(
        FeedsConfig(poll_interval=0.3, poll_jitter=0.1, idle_wake=0.05, stop_timeout=0.5)
    )
    await fast.add_subscription(server.url("/news.xml"), GUILD, CHAN)
    await fast.start()
    await wait_for(lambda: len(sink.posts) == 1)
    live.add(1)
    await wait_for(lambda: len(sink.posts) == 2, timeout=3)
    fetches = live.fetches
    await asyncio.sleep(1.0)
    assert 2 <= live.fetches - fetches <= 5  # about every 0.3 s, mostly answered 304
    assert len(sink.posts) == 2
