"""Digests on a real database (SQLite file and PostgreSQL): a period opened once and posted
once, by one of several workers; the latest missed period only; the period's items grouped
into stories; "digest only" subscriptions recorded as such; a crash after Discord created
a page sends nothing twice."""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.feeds.digest_store import Digest
from bot.feeds.digests import DigestRequest
from bot.feeds.fates import QUEUED
from bot.feeds.rows import FeedState
from bot.feeds.runtime import DeliveryResult
from bot.feeds.schedule import parse_schedule
from bot.feeds.schema import IN_DIGEST, SENT
from bot.feeds.service import FeedService
from bot.feeds.store import Store
from bot.ingest.feeds import FeedItem, item_fingerprint, item_key
from tests.feeds.conftest import FAST, PollerFactory
from tests.feeds.feedserver import FakeSink

GUILD, NEWS, DIGESTS = 7, 70, 71
UTC = dt.UTC
DAY1 = dt.datetime(2026, 1, 5, 8, 0, tzinfo=UTC)  # a Monday, 08:00 UTC

STORIES = {
    "quake": "Earthquake of magnitude 6.1 strikes Napa Valley: the earthquake of magnitude 6.1 "
    "struck the Napa Valley wineries north of San Francisco early on Sunday, damaging "
    "historic buildings in Napa.",
    "market": "Harbour council restores the old fish market: the harbour council of Saint-Malo "
    "voted to restore the old fish market hall and open it to local producers.",
    "budget": "Parliament passes the 2026 budget: deputies passed the 2026 budget after a long "
    "night of votes on pensions and defence spending.",
    "comet": "Astronomers spot a bright comet: a bright comet will be visible to the naked eye "
    "from the southern hemisphere during the first week of February.",
}


def feed_item(outlet: str, story: str, n: int = 0) -> FeedItem:
    text = STORIES[story]
    title = text.split(":")[0] + (f" ({outlet})" if n else "")
    link = f"https://{outlet}.example.com/{story}/{n}"
    return FeedItem(
        key=item_key(f"{outlet}-{story}-{n}", link, title, None), guid=f"{outlet}-{story}-{n}",
        link=link, title=title, published=None, content_html=f"<p>{text}</p>",
        fingerprint=item_fingerprint(title, link, None),
    )  # fmt: skip


async def follow(store: Store, outlet: str, channel: int, now: dt.datetime) -> int:
    """Subscribe `channel` to the outlet's feed (no item yet); the feed's id."""
    sub = await store.add_subscription(
        feed_url=f"https://{outlet}.example.com/rss", feed_title=outlet.title(), site_link=None,
        state=FeedState(None, None), items_now=[], guild_id=GUILD, channel_id=channel,
        sentences=None, now=now, next_poll=now + dt.timedelta(days=30),
    )  # fmt: skip
    return sub.feed_id


async def publish(store: Store, feed_id: int, items: list[FeedItem], now: dt.datetime) -> None:
    later = now + dt.timedelta(days=30)
    await store.record_success(feed_id, now=now, next_poll=later, state=FeedState(None, None),
                               items=items, max_per_poll=50)  # fmt: skip


async def daily_digest(store: Store, now: dt.datetime, *, only: bool = False,
                       max_items: int = 15) -> Digest:  # fmt: skip
    return await store.add_digest(
        guild_id=GUILD, channel_id=DIGESTS if not only else NEWS,
        schedule=parse_schedule("daily 08:00", "UTC"), feed_ids=None, max_items=max_items,
        sentences=1, only=only, now=now,
    )  # fmt: skip


async def test_a_period_is_opened_once_and_its_stories_posted_once(
    store: Store, db_url: str, poller: FeedService, sink: FakeSink
) -> None:
    start = DAY1 - dt.timedelta(days=1)
    outlets = {name: await follow(store, name, NEWS, start) for name in ("alpha", "beta", "gamma")}
    digest = await daily_digest(store, start)
    at = DAY1 - dt.timedelta(hours=5)
    await publish(store, outlets["alpha"], [feed_item("alpha", "quake"),
                                            feed_item("alpha", "comet")], at)  # fmt: skip
    await publish(store, outlets["beta"], [feed_item("beta", "quake", 1),
                                           feed_item("beta", "market")], at)  # fmt: skip
    await publish(store, outlets["gamma"], [feed_item("gamma", "quake", 2),
                                            feed_item("gamma", "market", 2)], at)  # fmt: skip
    assert await store.open_due_runs(DAY1 - dt.timedelta(seconds=1)) == 0  # not over yet
    assert await store.open_due_runs(DAY1 + dt.timedelta(minutes=1)) == 1
    assert await store.open_due_runs(DAY1 + dt.timedelta(minutes=2)) == 0
    other = await Store.open(db_url)  # a second worker on the same database
    try:
        assert await other.open_due_runs(DAY1 + dt.timedelta(minutes=3)) == 0
    finally:
        await other.close()
    assert await poller.digester.round(DAY1 + dt.timedelta(minutes=4)) == 1
    assert await poller.digester.round(DAY1 + dt.timedelta(minutes=5)) == 0
    [run] = await store.list_runs(digest.id)
    assert (run.period_start, run.period_end) == (start, DAY1)
    assert run.content is not None and run.parts_sent == 1 and len(run.message_ids) == 1
    stories = run.content["stories"]
    # By outlets (3, 2, 1), each the first report's title, one sentence, every outlet.
    assert [len(s["outlets"]) for s in stories] == [3, 2, 1]
    assert stories[0]["title"].startswith("Earthquake of magnitude 6.1")
    assert [o["name"] for o in stories[0]["outlets"]] == ["Alpha", "Beta", "Gamma"]
    assert len(stories[0]["sentences"]) == 1
    assert stories[2]["title"].startswith("Astronomers spot a bright comet")
    [(channel, nonce, page)] = sink.digests
    assert channel == DIGESTS and len(nonce) == 25 and page[0]["title"].startswith("Digest")
    assert "Alpha" in page[0]["description"] and "1 outlet" in page[0]["description"]


async def test_after_a_long_stop_only_the_latest_period_is_posted(
    store: Store, poller: FeedService, sink: FakeSink
) -> None:
    feed = await follow(store, "alpha", NEWS, DAY1 - dt.timedelta(days=2))
    digest = await daily_digest(store, DAY1 - dt.timedelta(days=2))
    await publish(store, feed, [feed_item("alpha", "quake")], DAY1 - dt.timedelta(hours=1))
    assert await poller.digester.round(DAY1 + dt.timedelta(minutes=1)) == 1
    # Down for four days: items came in meanwhile (polled by another worker, say).
    await publish(store, feed, [feed_item("alpha", "budget")], DAY1 + dt.timedelta(days=1))
    await publish(store, feed, [feed_item("alpha", "comet")], DAY1 + dt.timedelta(days=3))
    assert await poller.digester.round(DAY1 + dt.timedelta(days=4, hours=2)) == 1
    first, second = await store.list_runs(digest.id)
    assert second.period_start == first.period_end == DAY1
    assert second.period_end == DAY1 + dt.timedelta(days=4)  # the latest fire only
    assert second.content is not None
    assert sorted(s["title"][:10] for s in second.content["stories"]) == ["Astronomer",
                                                                          "Parliament"]  # fmt: skip
    assert len(sink.digests) == 2


async def test_two_workers_claim_a_run_once(store: Store, db_url: str) -> None:
    await daily_digest(store, DAY1 - dt.timedelta(days=1))
    now = DAY1 + dt.timedelta(minutes=1)
    other = await Store.open(db_url)
    try:
        assert await asyncio.gather(store.open_due_runs(now), other.open_due_runs(now)) in (
            [1, 0], [0, 1])  # fmt: skip
        claims = await asyncio.gather(
            store.claim_due_runs(now, "w1", lease=60), other.claim_due_runs(now, "w2", lease=60)
        )
        assert sorted(len(c) for c in claims) == [0, 1]
        [run] = claims[0] or claims[1]
        # The loser's completion is refused once the lease was taken over.
        later = now + dt.timedelta(seconds=61)
        [again] = await other.claim_due_runs(later, "w3", lease=60)
        assert again.lease_token == run.lease_token + 1
        assert not await store.mark_run_sent(run.id, later, run.lease_token)
        assert await store.record_run_content(run.id, {"stories": []}, run.lease_token) is None
        assert await other.mark_run_sent(again.id, later, again.lease_token)
    finally:
        await other.close()
    [done] = await store.list_runs(run.digest.id)
    assert done.content is None and done.parts_sent == 0
    assert await store.get_run(done.id) is not None


async def test_a_crash_after_discord_created_a_page_sends_it_once(
    store: Store, make_poller: PollerFactory, sink: FakeSink
) -> None:
    feed = await follow(store, "alpha", NEWS, DAY1 - dt.timedelta(days=1))
    digest = await daily_digest(store, DAY1 - dt.timedelta(days=1))
    every = [feed_item("alpha", s) for s in STORIES]
    await publish(store, feed, every, DAY1 - dt.timedelta(hours=2))
    first = await make_poller()
    sink.digest_script = ["post-then-hang"]
    task = asyncio.create_task(first.digester.round(DAY1 + dt.timedelta(minutes=1)))
    for _ in range(200):
        if sink.digests:
            break
        await asyncio.sleep(0.05)
    task.cancel()  # the process dies while Discord holds the answer
    [run] = await store.list_runs(digest.id)
    assert run.content is not None and run.parts_sent == 0  # recorded before sending
    await store.release_leases(FAST.worker_id)  # what a restart does first
    second = await make_poller()
    assert await second.digester.round(DAY1 + dt.timedelta(minutes=2)) == 1
    [run] = await store.list_runs(digest.id)
    assert run.parts_sent == 1 and len(sink.digests) == 1  # the same nonce: the same message


async def test_a_page_refused_is_retried_and_a_channel_gone_gives_up(
    store: Store, poller: FeedService, sink: FakeSink
) -> None:
    feed = await follow(store, "alpha", NEWS, DAY1 - dt.timedelta(days=1))
    digest = await daily_digest(store, DAY1 - dt.timedelta(days=1))
    await publish(store, feed, [feed_item("alpha", "quake")], DAY1 - dt.timedelta(hours=2))
    sink.digest_script = [DeliveryResult.retry(0, "503 from Discord"),
                          DeliveryResult.gone("channel deleted")]  # fmt: skip
    now = DAY1 + dt.timedelta(minutes=1)
    assert await poller.digester.round(now) == 1
    [run] = await store.list_runs(digest.id)
    assert run.attempts == 1 and run.parts_sent == 0
    assert await poller.digester.round(now + dt.timedelta(hours=2)) == 1
    [run] = await store.list_runs(digest.id)
    assert run.attempts == 2 and not sink.digests
    assert await poller.digester.round(now + dt.timedelta(hours=4)) == 0  # given up


async def test_digest_only_keeps_the_channel_items_for_the_digest(
    store: Store, poller: FeedService
) -> None:
    now = DAY1 - dt.timedelta(hours=3)
    feed = await follow(store, "alpha", NEWS, now)
    elsewhere = await store.add_subscription(
        feed_url="https://alpha.example.com/rss", feed_title="Alpha", site_link=None,
        state=FeedState(None, None), items_now=[], guild_id=GUILD, channel_id=DIGESTS,
        sentences=None, now=now, next_poll=now,
    )  # fmt: skip
    await daily_digest(store, now, only=True)  # in NEWS: replaces its per-item posts
    await publish(store, feed, [feed_item("alpha", "quake"), feed_item("alpha", "comet")], now)
    [news] = await store.list_subscriptions(channel_id=NEWS)
    assert [f.fate for f in await store.fate_log(news.id)] == [IN_DIGEST, IN_DIGEST]
    assert "digest (daily 08:00)" in str((await store.fate_log(news.id))[0].reason)
    assert await store.delivery_counts(news.id) == {}
    # Another channel's subscription of the same feed still posts each item.
    assert [f.fate for f in await store.fate_log(elsewhere.id)] == [QUEUED, QUEUED]
    assert await store.delivery_counts(elsewhere.id) == {"pending": 2}
    # And the digest holds them.
    assert await poller.digester.round(DAY1 + dt.timedelta(minutes=1)) == 1
    [digest] = await store.list_digests(GUILD)
    [run] = await store.list_runs(digest.id)
    assert run.content is not None and len(run.content["stories"]) == 2


async def test_the_door_checks_what_it_is_given(store: Store, poller: FeedService) -> None:
    await follow(store, "alpha", NEWS, DAY1)
    door = poller.digests
    request = DigestRequest(GUILD, DIGESTS, "weekly mon 09:00", "Europe/Paris", feeds="Alpha")
    digest = await door.add(request)
    assert digest.schedule.cron == "0 9 * * 1" and digest.feed_ids is not None
    for wrong, says in [
        (DigestRequest(GUILD, DIGESTS, "daily 8", "UTC"), "daily 08:00"),
        (DigestRequest(GUILD, DIGESTS, "daily 08:00", "Paris"), "IANA time zone"),
        (DigestRequest(GUILD, DIGESTS, "daily 08:00", "UTC", feeds="nope"), "#"),
        (DigestRequest(GUILD, DIGESTS, "daily 08:00", "UTC", max_items=0), "max_items"),
        (DigestRequest(GUILD, DIGESTS, "daily 08:00", "UTC", sentences=9), "sentences"),
    ]:
        try:
            await door.add(wrong)
        except Exception as exc:
            assert says in str(exc), str(exc)
        else:
            raise AssertionError(f"{wrong} was accepted")
    assert [d.id for d in await door.list(GUILD)] == [digest.id]
    assert await door.remove(digest.id, GUILD + 1) is None  # not that server's
    assert (await door.remove(digest.id, GUILD)) is not None
    assert await door.list(GUILD) == []
    runs = await store.list_runs(digest.id)
    assert runs == [] and SENT == "sent"
