"""Same-story grouping in the feed engine, on SQLite and PostgreSQL: real feeds over
loopback HTTP, real reports (ECB+) summarized by the real pipeline, the real database;
only Discord is the test sink (tests/feeds/feedserver.py), which records each "Also
covered by" edit and answers a reply for a post it is told cannot be edited."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import pickle
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import sqlalchemy as sa

from bot.feeds.fates import GROUPED
from bot.feeds.grouping import summary_features
from bot.feeds.rows import ON_CHANNEL, delivery_nonce
from bot.feeds.runtime import DeliveryResult, FeedsConfig
from bot.feeds.schema import SENT, deliveries, utcnow
from bot.feeds.service import FeedService
from bot.feeds.store import Store
from bot.models import OPENING_CHARS, Article, Summary
from bot.options import Options
from bot.pipeline import HtmlSource, analyse, load_local
from bot.render import to_json_dict
from bot.stories import features_of
from tests.conftest import DATA
from tests.feeds.conftest import FAST, LOOPBACK
from tests.feeds.feedserver import FakeSink, FeedServer, LiveFeed
from tests.helpers.story_reports import publish, reports

GUILD, CHAN = 111, 222
FIRE = reports("14/ecbplus")  # the Waitrose fire in Wellington: five reports
REHAB = reports("1/ecbplus")  # Lindsay Lohan checks into rehab


class Pipeline:
    """The bot's summarize(): the linked page (on the loopback server), analysed."""

    async def __call__(self, link: str | None, html: str | None, sentences: int) -> Summary:
        assert link is not None
        async with aiohttp.ClientSession() as session, session.get(link) as answer:
            page = await answer.text()
        article = load_local(HtmlSource(page))
        return await asyncio.to_thread(analyse, article, Options(sentences))


@pytest.fixture
async def services(store: Store, sink: FakeSink) -> AsyncIterator[list[FeedService]]:
    made: list[FeedService] = []
    yield made
    for service in made:
        await service.stop()


def _service(store: Store, sink: FakeSink, made: list[FeedService],
             config: FeedsConfig = FAST) -> FeedService:  # fmt: skip
    service = FeedService(store, Pipeline(), sink, config, limits=LOOPBACK)
    made.append(service)
    return service


async def _outlets(
    server: FeedServer, service: FeedService, names: list[str], group: bool = True
) -> list[tuple[LiveFeed, int]]:
    found = []
    for name in names:
        feed = server.feed(f"/{name.lower().replace(' ', '-')}.xml", title=name)
        sub, _, _ = await service.add_subscription(
            server.url(feed.path), GUILD, CHAN,
            placement=dataclasses.replace(ON_CHANNEL, group_stories=group),
        )  # fmt: skip
        found.append((feed, sub.id))
    return found


async def _report(server: FeedServer, service: FeedService, feed: LiveFeed, sub_id: int,
                  slug: str, row: dict[str, str]) -> None:  # fmt: skip
    publish(server, feed, slug, row["title"], row["text"])
    sub = await service.get_subscription(sub_id)
    assert sub is not None
    assert (await service.poll_now(sub.feed_id)).queued == 1
    await service.run_deliveries()


async def test_one_story_one_post_and_the_index_is_rebuilt_after_a_restart(
    server: FeedServer, store: Store, sink: FakeSink, services: list[FeedService]
) -> None:
    first = _service(store, sink, services)
    (a, sub_a), (b, sub_b), (c, sub_c) = await _outlets(server, first, ["Gazette", "Echo", "Post"])
    await _report(server, first, a, sub_a, "fire0", FIRE[0])
    [post] = sink.posts
    await _report(server, first, b, sub_b, "fire1", FIRE[1])
    assert sink.edits == [(CHAN, post.message_id, ("Echo",))] and len(sink.posts) == 1
    await first.stop()
    # A new process: the channel's index is rebuilt from the recorded keys.
    second = _service(store, sink, services)
    await _report(server, second, c, sub_c, "fire2", FIRE[2])
    assert sink.edits[-1] == (CHAN, post.message_id, ("Echo", "Post"))
    assert len(sink.posts) == 1 and not sink.replies
    # `/feed log`: where the item went
    [fate] = [f for f in await store.fate_log(sub_c) if f.fate == GROUPED]
    assert (fate.channel_id, fate.message_id) == (CHAN, post.message_id)
    # A different story in the same window gets its own post.
    await _report(server, second, b, sub_b, "rehab0", REHAB[0])
    assert len(sink.posts) == 2 and len(sink.edits) == 2


async def test_grouping_off_a_post_that_cannot_be_edited_and_a_window_of_zero(
    server: FeedServer, store: Store, sink: FakeSink, services: list[FeedService]
) -> None:
    service = _service(store, sink, services)
    (a, sub_a), (b, sub_b) = await _outlets(server, service, ["Gazette", "Echo"])
    [(off, sub_off)] = await _outlets(server, service, ["Times"], group=False)
    await _report(server, service, a, sub_a, "fire0", FIRE[0])
    [post] = sink.posts
    await _report(server, service, off, sub_off, "fire1", FIRE[1])  # grouping off: posted
    assert len(sink.posts) == 2 and not sink.edits
    sink.uneditable.add(post.message_id)  # deleted, say: a reply refers to it instead
    copy = {"title": "Waitrose Wellington closed after blaze", "text": FIRE[0]["text"]}
    await _report(server, service, b, sub_b, "fire0-copy", copy)  # the agency's copy
    [(key, reply_id)] = await store.sent_items(sub_b)
    assert sink.replies == [(post.message_id, reply_id, delivery_nonce(sub_b, key))]
    assert len(sink.posts) == 2 and not sink.edits
    await service.stop()
    # STORY_WINDOW_HOURS=0: no grouping at all
    plain = _service(store, sink, services, dataclasses.replace(FAST, story_window=0))
    [(d, sub_d)] = await _outlets(server, plain, ["Post"])
    await _report(server, plain, d, sub_d, "fire4", FIRE[4])
    assert len(sink.posts) == 3


async def test_the_decision_is_recorded_once_and_a_retried_edit_is_the_same_edit(
    server: FeedServer, store: Store, sink: FakeSink, services: list[FeedService]
) -> None:
    service = _service(store, sink, services)
    (a, sub_a), (b, sub_b) = await _outlets(server, service, ["Gazette", "Echo"])
    await _report(server, service, a, sub_a, "fire0", FIRE[0])
    sink.story_script.append(DeliveryResult.retry(0, "Discord answered 503"))
    await _report(server, service, b, sub_b, "fire1", FIRE[1])
    assert not sink.edits  # the edit failed: retried later, the decision kept

    async def decided() -> list[tuple[int, object, object]]:
        async with store.engine.connect() as conn:
            rows = await conn.execute(
                sa.select(deliveries.c.id, deliveries.c.story_at, deliveries.c.story_of)
                .where(deliveries.c.subscription_id == sub_b)
            )  # fmt: skip
            return [tuple(r) for r in rows.all()]

    [before] = await decided()
    assert before[2] is not None
    # a stale or second decision is refused
    assert not await store.decide_story(before[0], {}, None, utcnow())
    await asyncio.sleep(FAST.delivery_retry_max + 0.1)
    await service.stop()
    again = _service(store, sink, services)  # a restart: nothing is decided again
    await again.run_deliveries()
    assert await decided() == [before]
    [post] = sink.posts
    assert sink.edits == [(CHAN, post.message_id, ("Echo",))]
    async with store.engine.connect() as conn:
        status = await conn.scalar(sa.select(deliveries.c.status).where(
            deliveries.c.id == before[0]))  # fmt: skip
    assert status == SENT


async def test_two_workers_deciding_at_once_in_one_channel_start_one_story(
    server: FeedServer, store: Store, db_url: str, sink: FakeSink, services: list[FeedService]
) -> None:
    """Two workers (two stores on one database) decide two outlets' reports of one story in
    one channel at the same moment: each reads the channel's decisions, and only then
    would either record its own. The channel's decision lock makes the second read wait
    for the first's record, so the second joins the first's story instead of starting
    the same story again."""
    first = _service(store, sink, services)
    (a, sub_a), (b, sub_b) = await _outlets(server, first, ["Gazette", "Echo"])
    for feed, sub_id, slug, row in ((a, sub_a, "fire0", FIRE[0]), (b, sub_b, "fire1", FIRE[1])):
        publish(server, feed, slug, row["title"], row["text"])
        sub = await first.get_subscription(sub_id)
        assert sub is not None and (await first.poll_now(sub.feed_id)).queued == 1
    other = await Store.open(db_url)
    try:
        second = _service(other, sink, services)
        claimed = await store.claim_due_deliveries(utcnow(), "test", lease=60)
        assert sorted(d.subscription_id for d in claimed) == [sub_a, sub_b]
        arrived: list[int] = []
        both_read = asyncio.Event()

        def meet_before_reading(st: Store) -> None:
            """After reading the channel's decisions, each worker waits (3 s at most) for
            the other to have read them too: without a lock, both read before either
            records."""
            read = st.story_rows

            async def story_rows(*args: Any, **kwargs: Any) -> Any:
                rows = await read(*args, **kwargs)
                arrived.append(1)
                if len(arrived) >= 2:
                    both_read.set()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(both_read.wait(), 3.0)
                return rows

            st.story_rows = story_rows  # type: ignore[method-assign]

        # summaries first (each worker's own cache), so that both decide at once
        await first.deliverer.items.for_delivery(claimed[0])
        await second.deliverer.items.for_delivery(claimed[1])
        meet_before_reading(store)
        meet_before_reading(other)
        decided = await asyncio.gather(
            first.deliverer.grouping.decide(claimed[0]),
            second.deliverer.grouping.decide(claimed[1]),
        )
        assert all(d is not None for d in decided)
        [lead] = [d for d in decided if d is not None and d.story_of is None]
        [joined] = [d for d in decided if d is not None and d.story_of is not None]
        assert joined.story_of == lead.id  # one story: the second report joins the first
    finally:
        await other.close()


def test_the_bot_keys_an_item_as_precis_stories_does_from_the_article_s_opening() -> None:
    # The post shows a few sentences; the grouping keys also take the figures and years
    # of the article's opening, which the summary carries from the engine's worker process
    # (pickled) to the bot, and never shows nor writes out.
    text = (DATA / "stories" / "ecb_openings.jsonl").read_text(encoding="utf-8")
    row = json.loads(text.splitlines()[0])  # "Judge sentences Orozco to death"
    article = Article(title=row["title"], body=row["text"])
    summary = pickle.loads(pickle.dumps(analyse(article)))
    assert summary.opening == article.body.strip()[:OPENING_CHARS]
    assert "opening" not in to_json_dict(summary)
    features = summary_features(summary)
    assert features == features_of(article, Options())
    shown = summary_features(summary.model_copy(update={"opening": ""}))
    assert {"#24", "#35"} <= features.numbers - shown.numbers  # the day, the age
