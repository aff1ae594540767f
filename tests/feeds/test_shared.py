"""What worker processes share through the database: a host's politeness slots and
Discord's rate-limit buckets — two real Store connections on one SQLite file and on
PostgreSQL, as two workers would hold them."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import pytest

from bot.feeds.schema import GLOBAL_BUCKET, utcnow
from bot.feeds.store import Store


@pytest.fixture
async def two(db_url: str) -> AsyncIterator[tuple[Store, Store]]:
    a = await Store.open(db_url)
    b = await Store.open(db_url)
    yield a, b
    await a.close()
    await b.close()


async def test_a_hosts_slots_are_shared_and_a_dead_workers_slot_expires(
    two: tuple[Store, Store],
) -> None:
    a, b = two
    now = utcnow()
    taken = await asyncio.gather(
        *(store.take_host_slot("news.example.com", 2, name, lease=60, now=now)
          for store, name in ((a, "w1"), (b, "w2"), (a, "w3"), (b, "w4")))
    )  # fmt: skip
    assert sorted(s for s in taken if s is not None) == [0, 1]  # two slots, two holders
    assert taken.count(None) == 2
    assert await a.busy_host_slots("news.example.com", now) == 2
    assert await b.take_host_slot("other.example.org", 2, "w2", lease=60, now=now) == 0
    # A holder gives its slot back; a slot whose holder died is free when its lease ends.
    holder = ["w1", "w2", "w3", "w4"][taken.index(0)]
    await a.give_host_slot("news.example.com", 0, "someone-else")  # not theirs: kept
    assert await b.take_host_slot("news.example.com", 2, "w5", lease=60, now=now) is None
    await a.give_host_slot("news.example.com", 0, holder)
    assert await b.take_host_slot("news.example.com", 2, "w5", lease=60, now=now) == 0
    later = now + dt.timedelta(seconds=61)
    assert await a.take_host_slot("news.example.com", 2, "w6", lease=60, now=later) is not None
    assert await a.busy_host_slots("news.example.com", later) == 1
    # A worker restarted under its name takes its slots back at once.
    assert await a.release_leases("w6") >= 1
    assert await a.busy_host_slots("news.example.com", later) == 0


async def test_a_bucket_one_worker_exhausted_makes_the_other_wait(
    two: tuple[Store, Store],
) -> None:
    a, b = two
    route = "POST channels/1/messages"
    assert await a.reserve_discord(route, 1000.0, 50) == 0
    # Worker a saw a 429 with 2.5 s to wait: worker b is told to wait as long.
    await a.record_discord(route, 0, 1002.5)
    assert await b.reserve_discord(route, 1000.5, 50) == pytest.approx(2.0)
    assert await b.reserve_discord("POST channels/2/messages", 1000.5, 50) == 0  # other route
    assert await b.reserve_discord(route, 1002.6, 50) == 0  # reset: it may go
    # One request left: the first to ask takes it, the next waits for the reset.
    await b.record_discord(route, 1, 1005.0)
    waits = [await store.reserve_discord(route, 1003.0, 50) for store in (a, b)]
    assert waits == [0, pytest.approx(2.0)]
    # A global 429 holds every route.
    await a.record_discord(GLOBAL_BUCKET, 0, 1010.0)
    assert await b.reserve_discord("GET channels/3", 1006.0, 50) == pytest.approx(4.0)


async def test_the_global_budget_is_counted_for_all_workers(two: tuple[Store, Store]) -> None:
    a, b = two
    waits = [await store.reserve_discord(f"GET channels/{n}", 2000.0, 3)
             for n, store in enumerate((a, b, a, b))]  # fmt: skip
    assert waits[:3] == [0, 0, 0]
    assert waits[3] == pytest.approx(1.0)  # the fourth in that second waits for the next
    assert await b.reserve_discord("GET channels/9", 2001.0, 3) == 0
