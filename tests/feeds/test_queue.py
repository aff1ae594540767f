"""Claims: two workers on one database never take the same post, notice or feed; a lease
that expires is taken over; a completion with a stale token is refused; a restarted
worker takes its own claims back. Two real Store connections to one database: an SQLite
file, and PostgreSQL (where claims take their rows with FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import pytest

from bot.feeds.rows import FeedState
from bot.feeds.schema import PENDING, SENT, utcnow
from bot.feeds.store import Store
from tests.feeds.test_store import _item


@pytest.fixture
async def two(db_url: str) -> AsyncIterator[tuple[Store, Store]]:
    a = await Store.open(db_url)
    b = await Store.open(db_url)
    yield a, b
    await a.close()
    await b.close()


async def _subscribe(store: Store, now: dt.datetime, channels: int = 3) -> None:
    for channel in range(channels):
        await store.add_subscription(
            feed_url="https://news.example.com/rss", feed_title="News", site_link=None,
            state=FeedState(None, None), items_now=[_item(n) for n in range(1, 6)],
            guild_id=1, channel_id=100 + channel, sentences=3, backlog=True,
            now=now, next_poll=now,
        )  # fmt: skip


async def test_two_workers_never_claim_the_same_delivery(two: tuple[Store, Store]) -> None:
    a, b = two
    now = utcnow()
    await _subscribe(a, now)
    claims = await asyncio.gather(
        *(store.claim_due_deliveries(now, name, lease=60, limit=4)
          for store, name in ((a, "w1"), (b, "w2"), (a, "w3"), (b, "w4")))
    )  # fmt: skip
    ids = [d.id for batch in claims for d in batch]
    # Every post claimed once, by one worker: three take a subscription's first four
    # items each, the fourth finds every subscription's next item waiting behind them.
    # (On PostgreSQL, before claims took turns, a racing claim once took a subscription's
    # fifth item while another took its first four: 13 claims, an out-of-order post.)
    assert len(ids) == len(set(ids)) == 12
    # ...and a subscription's later items wait while an earlier one is in another
    # worker's hands (its order): each subscription's claims are its oldest items.
    by_sub: dict[int, list[str]] = {}
    for d in sorted((d for b in claims for d in b), key=lambda d: d.id):
        by_sub.setdefault(d.subscription_id, []).append(d.item.title or "")
    assert all(titles == [f"Title {n}" for n in range(1, len(titles) + 1)]
               for titles in by_sub.values()), by_sub  # fmt: skip
    # What a fifth worker can claim while the leases live is none of what the four hold;
    # everything once they expired.
    rest = await a.claim_due_deliveries(now, "w5", lease=60)
    assert rest == []  # each subscription has posts in other hands: its later ones wait
    later = now + dt.timedelta(seconds=61)
    assert len(await b.claim_due_deliveries(later, "w5", lease=60)) == 15


async def test_a_stale_token_cannot_complete_and_the_new_owner_can(
    two: tuple[Store, Store],
) -> None:
    a, b = two
    now = utcnow()
    await _subscribe(a, now, channels=1)
    [first, *_] = await a.claim_due_deliveries(now, "w1", lease=30)
    # w1 stalls past its lease; w2 takes the post over.
    later = now + dt.timedelta(seconds=31)
    taken = [d for d in await b.claim_due_deliveries(later, "w2", lease=30) if d.id == first.id]
    assert taken and taken[0].lease_token == first.lease_token + 1
    assert not await a.mark_sent(first.id, 1, later, first.lease_token)  # fenced off
    assert await b.mark_sent(first.id, 2, later, taken[0].lease_token)
    assert (await a.delivery_counts()).get(SENT) == 1


async def test_notices_and_feeds_are_claimed_once(two: tuple[Store, Store]) -> None:
    a, b = two
    now = utcnow()
    await _subscribe(a, now, channels=2)
    feed = (await a.list_feeds())[0]
    await a.record_failure(feed.id, now=now, error="boom", next_poll=now, notice_after=1)
    first = await a.claim_due_notices(now, "w1", lease=60)
    second = await b.claim_due_notices(now, "w2", lease=60)
    assert len(first) == 2 and second == []
    assert {n.kind for n in first} == {"failing"} and first[0].params["error"] == "boom"
    assert await a.mark_notice(first[0].id, SENT, now=now, token=first[0].lease_token)
    assert not await a.mark_notice(first[1].id, SENT, now=now, token=first[1].lease_token - 1)
    # Feeds: one worker polls a due feed; the outcome releases it.
    assert [f.id for f in await a.claim_due_feeds(now, "w1", lease=60, limit=5)] == [feed.id]
    assert await b.claim_due_feeds(now, "w2", lease=60, limit=5) == []
    assert await b.next_poll_at(now) is None  # the claimed feed is not "due" for others
    await a.record_success(feed.id, now=now, next_poll=now, state=None, items=None,
                           max_per_poll=5)  # fmt: skip
    assert [f.id for f in await b.claim_due_feeds(now, "w2", lease=60, limit=5)] == [feed.id]


async def test_a_poll_whose_claim_was_taken_over_records_nothing(
    two: tuple[Store, Store],
) -> None:
    a, b = two
    now = utcnow()
    await _subscribe(a, now, channels=1)
    [stalled] = await a.claim_due_feeds(now, "w1", lease=30, limit=5)
    # w1 stalls past its lease; w2 claims the feed, polls it and records a failure.
    later = now + dt.timedelta(seconds=31)
    [taken] = await b.claim_due_feeds(later, "w2", lease=30, limit=5)
    assert taken.claim is not None and taken.claim != stalled.claim
    new = [_item(6)]
    late = await a.record_success(stalled.id, now=later, next_poll=later, state=None,
                                  items=new, max_per_poll=5, claim=stalled.claim)  # fmt: skip
    assert late.stale and late.new_items == 0
    failed = await a.record_failure(stalled.id, now=later, error="late", next_poll=later,
                                    notice_after=1, claim=stalled.claim)  # fmt: skip
    assert failed.stale and failed.failures == 0
    done = await b.record_success(taken.id, now=later, next_poll=later, state=None,
                                  items=new, max_per_poll=5, claim=taken.claim)  # fmt: skip
    assert not done.stale and done.new_items == 1
    feed = await b.get_feed(taken.id)
    assert feed is not None and feed.failure_count == 0 and feed.claim is None


async def test_a_restarted_worker_takes_its_claims_back(two: tuple[Store, Store]) -> None:
    a, b = two
    now = utcnow()
    await _subscribe(a, now, channels=1)
    claimed = await a.claim_due_deliveries(now, "main", lease=3600)
    assert claimed and await b.claim_due_deliveries(now, "other", lease=60) == []
    assert await b.release_leases("main") == len(claimed)  # "main" started again
    again = await b.claim_due_deliveries(now, "main", lease=60)
    assert [d.id for d in again] == [d.id for d in claimed]
    assert (await b.delivery_counts()) == {PENDING: len(claimed)}


async def test_concurrent_workers_never_claim_the_same_feed(two: tuple[Store, Store]) -> None:
    a, b = two
    now = utcnow()
    for n in range(6):
        await a.add_subscription(
            feed_url=f"https://news{n}.example.com/rss", feed_title="News", site_link=None,
            state=FeedState(None, None), items_now=[_item(1)], guild_id=1, channel_id=100,
            sentences=3, now=now, next_poll=now,
        )  # fmt: skip
    claims = await asyncio.gather(
        *(store.claim_due_feeds(now, name, lease=60, limit=2)
          for store, name in ((a, "w1"), (b, "w2"), (a, "w3"), (b, "w4")))
    )  # fmt: skip
    ids = [f.id for batch in claims for f in batch]
    assert len(ids) == len(set(ids)) == 6  # every feed polled by one worker
