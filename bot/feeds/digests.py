"""Scheduled digests: at the end of each period, one digest of the period's stories.

A digest's items are those its server's subscriptions to its feeds let through in the
period (bot/feeds/digest_store.py). Each is summarized as a post would be (the same cache),
and the items are grouped into stories by the engine's same-story rule
(bot/nlp/stories.py, `StoryIndex.assign` in the order the items were first seen, each
item's time that moment), so five outlets reporting one event make one entry. A story is
its first report's title, link and first summary sentence(s), with every outlet that
covered it; stories come by how many outlets covered them, then newest first.

Posting is exactly once per period (see digest_store): the run is opened once, claimed
with a lease and a fencing token, its stories recorded before the first message, and each
message sent with a nonce of its own. The sink renders the stories into messages within
Discord's limits (bot/discord_adapter/digest_embeds.py), the same messages every time.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot import escape
from bot.errors import InputError
from bot.feeds.digest_store import PERIOD_ITEMS, Digest, DigestRun, PeriodItem, page_nonce
from bot.feeds.items import ItemSummaries
from bot.feeds.runtime import DeliveryResult, Runtime, Sink, guarded
from bot.feeds.schedule import parse_schedule
from bot.feeds.schema import utcnow
from bot.ingest.feeds import html_to_text
from bot.models import Summary
from bot.nlp.stories import GroupingParams, StoryIndex
from bot.nlp.story_features import story_features
from bot.options import DEFAULT_SENTENCES

log = logging.getLogger("precis.feeds")

SUMMARY_CONCURRENCY = 4  # items summarized at once for one digest
MAX_OUTLETS = 25  # per story, in the stored content (the message shows fewer)


@dataclass(frozen=True)
class Reported:
    """One of the period's items and what the engine made of it."""

    item: PeriodItem
    summary: Summary


def _story(members: list[Reported], sentences: int) -> dict[str, Any]:
    """One entry: the first report's title, link and sentences, and every outlet."""
    first = members[0]
    outlets: list[dict[str, Any]] = []
    for member in members:
        name = member.item.feed_title
        if all(o["name"] != name for o in outlets) and len(outlets) < MAX_OUTLETS:
            outlets.append({"name": name, "link": member.item.item.link})
    return {
        "title": first.summary.title or first.item.item.title or first.item.feed_title,
        "link": first.item.item.link,
        "sentences": list(first.summary.summary[:sentences]),
        "outlets": outlets,
        "items": len(members),
        "time": max(m.item.seen for m in members).isoformat(),
        "first": first.item.seen.isoformat(),
    }


def group_stories(
    reported: Sequence[Reported], *, sentences: int, max_items: int,
    params: GroupingParams | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """The period's stories, best first: each item decided in the order it was seen by
    the bot's same-story rule; by outlets, then the latest report, newest first."""
    index = StoryIndex(params or GroupingParams())
    ordered = sorted(reported, key=lambda r: (r.item.seen, r.item.item.id))
    stories: dict[str, list[Reported]] = {}
    for r in ordered:
        s = r.summary
        body = s.opening or html_to_text(r.item.item.content_html or "")
        features = story_features(s.title or r.item.item.title, s.summary, s.entities,
                                  s.language, body)  # fmt: skip
        story = index.assign(str(r.item.item.id), features, r.item.seen.timestamp())
        stories.setdefault(story, []).append(r)
    entries = [_story(members, sentences) for members in stories.values()]
    entries.sort(key=lambda e: (len(e["outlets"]), e["time"]), reverse=True)
    return entries[:max_items]


def digest_content(
    digest: Digest, start: dt.datetime, end: dt.datetime, stories: list[dict[str, Any]],
    items: int,
) -> dict[str, Any]:  # fmt: skip
    """What a run records before sending (JSON): the period and its stories."""
    return {
        "schedule": digest.schedule.text, "timezone": digest.schedule.timezone,
        "start": start.isoformat(), "end": end.isoformat(), "items": items, "stories": stories,
    }  # fmt: skip


class Digester:
    """The digest loop: opens each period's run when it ends, claims and posts it."""

    def __init__(self, rt: Runtime, sink: Sink, items: ItemSummaries) -> None:
        self.rt = rt
        self.sink = sink
        self.items = items
        self.wake = asyncio.Event()
        self.posting: asyncio.Task[None] | None = None

    async def run(self) -> None:
        await self.rt.loop(self._step, self.wake, "digest round")

    async def _step(self) -> float:
        await self.round()
        return await self._delay()

    async def _delay(self) -> float:
        """Until the next period ends (or `idle_wake`, to notice new digests and retries)."""
        now = utcnow()
        wait = self.rt.config.idle_wake
        for digest in await self.rt.store.list_digests():
            with contextlib.suppress(Exception):  # a schedule it cannot read is logged there
                wait = min(wait, (digest.schedule.next_after(now) - now).total_seconds())
        return max(0.05, wait)

    async def round(self, now: dt.datetime | None = None) -> int:
        """Open the runs of periods that ended by `now`, then post what is due."""
        await self.rt.reclaim()
        now = now or utcnow()
        config = self.rt.config
        await self.rt.commit(self.rt.store.open_due_runs(now))
        runs = await self.rt.store.claim_due_runs(now, config.worker_id,
                                                  lease=config.delivery_lease)  # fmt: skip
        for run in runs:
            if self.rt.stopping:
                break
            self.posting = asyncio.create_task(self._post(run, now), name=f"precis-digest-{run.id}")
            try:  # shielded: a stop lets it finish (FeedService.stop waits for it a while)
                await asyncio.shield(self.posting)
            except Exception:
                log.exception("digest run %s failed unexpectedly", run.id)
            if self.posting.done():
                self.posting = None
        return len(runs)

    async def build(self, digest: Digest, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
        """The digest of (start, end] as it would be posted (nothing is recorded)."""
        limit = min(PERIOD_ITEMS, max(60, 3 * digest.max_items))
        period = await self.rt.store.period_items(digest, start, end, limit=limit)
        slots = asyncio.Semaphore(SUMMARY_CONCURRENCY)
        # Summarized with at least the usual count: grouping compares the sentences too.
        wanted = max(digest.sentences, DEFAULT_SENTENCES)

        async def summarize(p: PeriodItem) -> Reported:
            async with slots:
                return Reported(p, await self.items.for_stored(p.item, p.feed_title, wanted))

        reported = await asyncio.gather(*(summarize(p) for p in period))
        stories = await asyncio.to_thread(
            group_stories, reported, sentences=digest.sentences, max_items=digest.max_items
        )
        return digest_content(digest, start, end, stories, len(period))

    async def _post(self, run: DigestRun, now: dt.datetime) -> None:
        store, token = self.rt.store, run.lease_token
        content = run.content
        if content is None:  # recorded before anything is sent: a repeat sends the same
            built = await self.build(run.digest, run.period_start, run.period_end)
            content = await self.rt.commit(store.record_run_content(run.id, built, token))
            if content is None:
                log.info("digest run %s: the claim was lost to another worker", run.id)
                return
        pages = self.sink.digest_pages(content) if content["stories"] else []
        sent = list(run.message_ids)
        for page in range(run.parts_sent, len(pages)):
            result = await guarded(
                self.sink.post_digest_page(
                    run.digest.channel_id, pages[page], page_nonce(run.nonce, page)
                ),
                f"digest run {run.id} page {page + 1}",
            )
            if result.kind != "sent" or result.message_id is None:
                await self._not_sent(run, result, now)
                return
            sent.append(result.message_id)
            if not await self.rt.commit(store.mark_run_part(run.id, page + 1, sent, token)):
                return  # another worker holds it now: it goes on from the page recorded
        await self.rt.commit(store.mark_run_sent(run.id, utcnow(), token))
        self.rt.stats.digests += 1
        log.info("digest %s: period ending %s posted in %d message(s), %d stories",
                 run.digest.id, run.period_end.isoformat(), len(pages),
                 len(content["stories"]))  # fmt: skip

    async def _not_sent(self, run: DigestRun, result: DeliveryResult, now: dt.datetime) -> None:
        attempts = run.attempts + 1
        most = self.rt.config.delivery_max_attempts
        give_up = result.kind == "gone" or bool(most and attempts >= most)
        delay = max(result.after, self.rt.retry_delay(attempts))
        then = "given up" if give_up else f"retry in {delay:.0f} s"
        log.warning("digest run %s not sent (%s): %s", run.id, then, result.reason)
        await self.rt.commit(
            self.rt.store.mark_run_retry(
                run.id, now + dt.timedelta(seconds=delay), result.reason or result.kind,
                run.lease_token, give_up=give_up,
            )
        )  # fmt: skip


MAX_ITEMS_LIMIT = 50  # stories in one digest, at most
DEFAULT_MAX_ITEMS = 15
DIGEST_SENTENCES_MAX = 3


@dataclass(frozen=True)
class DigestRequest:
    """What `/digest add` asks for, as typed (checked by `DigestDoor.add`)."""

    guild_id: int
    channel_id: int
    schedule: str
    timezone: str
    feeds: str | None = None  # "all" (or None), or feeds named by id, title or address
    max_items: int = DEFAULT_MAX_ITEMS
    sentences: int = 1
    only: bool = False
    created_by: int | None = None


class DigestDoor:
    """What the cogs call: add, list, remove and preview digests."""

    def __init__(self, digester: Digester) -> None:
        self.digester = digester
        self.store = digester.rt.store

    async def add(self, request: DigestRequest) -> Digest:
        """Check and store a digest; InputError says what is wrong and what is accepted."""
        schedule = parse_schedule(request.schedule, request.timezone)
        if not 1 <= request.max_items <= MAX_ITEMS_LIMIT:
            raise InputError(f"max_items is a number from 1 to {MAX_ITEMS_LIMIT}.")
        if not 1 <= request.sentences <= DIGEST_SENTENCES_MAX:
            raise InputError(f"sentences is a number from 1 to {DIGEST_SENTENCES_MAX}.")
        feed_ids = await self._feeds(request.guild_id, request.feeds)
        digest = await self.store.add_digest(
            guild_id=request.guild_id, channel_id=request.channel_id, schedule=schedule,
            feed_ids=feed_ids, max_items=request.max_items, sentences=request.sentences,
            only=request.only, now=utcnow(), created_by=request.created_by,
        )  # fmt: skip
        self.digester.wake.set()
        return digest

    async def _feeds(self, guild_id: int, named: str | None) -> list[int] | None:
        """The feed ids a digest covers: None for all the server follows."""
        if named is None or named.strip().casefold() in ("", "all"):
            return None
        subs = await self.store.list_subscriptions(guild_id=guild_id)
        if not subs:
            raise InputError("This server follows no feed yet: add one with `/feed add`.")
        found: set[int] = set()
        for token in (t.strip() for t in re.split(r"[,;\n]", named)):
            if not token:
                continue
            key = token.removeprefix("#").casefold()
            match = [s for s in subs if key in (str(s.id), s.feed_title.casefold(),
                                                s.feed_url.casefold())]  # fmt: skip
            if not match:
                known = ", ".join(f"`#{s.id}` {escape.discord_inline(s.feed_title, 60)}"
                                  for s in subs[:10])  # fmt: skip
                raise InputError(
                    f"No feed of this server is called `{escape.plain(token)[:60]}`. "
                    f"Name feeds by number or title, separated by commas, or say `all`. "
                    f"Feeds: {known}"
                )
            found.update(s.feed_id for s in match)
        return sorted(found)

    async def remove(self, digest_id: int, guild_id: int) -> Digest | None:
        return await self.store.remove_digest(digest_id, guild_id=guild_id)

    async def list(self, guild_id: int) -> list[Digest]:
        return await self.store.list_digests(guild_id)

    async def preview(self, digest_id: int, guild_id: int) -> tuple[Digest, dict[str, Any]]:
        """What the digest's next message(s) would hold if its period ended now."""
        found = [d for d in await self.store.list_digests(guild_id) if d.id == digest_id]
        if not found:
            raise InputError("There is no such digest in this server: see `/digest list`.")
        digest, now = found[0], utcnow()
        start = await self.store.last_period_end(digest.id) or digest.schedule.latest_at(now)
        return digest, await self.digester.build(digest, start, now)
