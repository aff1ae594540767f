"""Same-story grouping in the database: each delivery's decision, and a story's outlets.

The decision is written once per item, before it is acted on (`decide_story`, fenced by
the delivery's lease token, refused when one is already recorded): its grouping keys,
when, and the delivery whose post it joins (`story_of`; NULL for a post of its own). A
restart, or a second worker that takes the delivery over, reads the decision back and
acts on it: it never decides again. The "Also covered by" line of a post is derived
from the recorded group (`story_group`), so an edit repeated after a crash writes the
same line, and each outlet appears once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from bot.feeds.database import Database
from bot.feeds.schema import FAILED, FORUM, aware, deliveries, feeds, items, subscriptions, to_db


@dataclass(frozen=True)
class StoryRow:
    """One delivery's recorded decision, as a channel's story index is rebuilt from it."""

    delivery_id: int
    feed_id: int
    story_of: int | None
    story_at: dt.datetime
    keys: Any  # StoryFeatures.to_json()


@dataclass(frozen=True)
class Outlet:
    name: str
    link: str | None
    title: str | None


@dataclass(frozen=True)
class StoryGroup:
    """A story's first post (where it is) and the other outlets recorded to it."""

    lead_id: int
    status: str
    guild_id: int
    channel_id: int  # where the post's message is (a forum post: its thread)
    message_id: int | None
    feed_id: int
    outlets: tuple[Outlet, ...]  # in the order they joined, one per feed


_STORY_LOCKS = 0x73746F72  # "stor": the advisory-lock class of a channel's decisions


class StoryQueries(Database):
    def deciding_in(self, channel_id: int) -> contextlib.AbstractAsyncContextManager[None]:
        """One story decision at a time in a channel, across processes: two workers
        deciding together would each miss the other's item and start the same story
        twice."""
        return self._held("story-lock", _STORY_LOCKS, channel_id)

    async def story_rows(
        self, channel_id: int, since: dt.datetime, limit: int, *, after: dt.datetime | None = None
    ) -> list[StoryRow]:
        """The channel's decided items since `since` (and, when given, decided at or after
        `after`), the newest `limit` of them, oldest first."""
        query = (
            sa.select(
                deliveries.c.id,
                subscriptions.c.feed_id,
                deliveries.c.story_of,
                deliveries.c.story_at,
                deliveries.c.story_keys,
            )  # fmt: skip
            .join(subscriptions, subscriptions.c.id == deliveries.c.subscription_id)
            .where(
                subscriptions.c.channel_id == channel_id,
                deliveries.c.story_at >= to_db(max(since, after or since)),
                deliveries.c.status != FAILED,
            )
            .order_by(deliveries.c.story_at.desc(), deliveries.c.id.desc())
            .limit(limit)
        )
        async with self._read() as conn:
            rows = (await conn.execute(query)).all()
        return [
            StoryRow(r.id, int(r.feed_id), r.story_of, aware(r.story_at) or since, r.story_keys)
            for r in reversed(rows)
        ]

    async def decide_story(
        self,
        delivery_id: int,
        keys: dict[str, Any],
        story_of: int | None,
        now: dt.datetime,
        token: int | None = None,
    ) -> bool:
        """Record the item's decision; False when one is recorded already or the claim
        was lost (the caller then acts on nothing and lets the delivery be taken again)."""
        query = sa.update(deliveries).where(
            deliveries.c.id == delivery_id, deliveries.c.story_at.is_(None)
        )
        if token is not None:
            query = query.where(deliveries.c.lease_token == token)
        values = {"story_keys": keys, "story_at": to_db(now), "story_of": story_of}
        async with self._write() as conn:
            done = await conn.execute(query.values(**values))
        return bool(done.rowcount)

    async def unlink_story(self, delivery_id: int, token: int | None = None) -> bool:
        """The story's first post failed for good: the item is posted on its own."""
        query = sa.update(deliveries).where(deliveries.c.id == delivery_id)
        if token is not None:
            query = query.where(deliveries.c.lease_token == token)
        async with self._write() as conn:
            done = await conn.execute(query.values(story_of=None))
        return bool(done.rowcount)

    async def story_group(self, lead_id: int) -> StoryGroup | None:
        """The story's first post and its outlets (every delivery recorded to it that has
        not failed, the first per feed); None when that post's row is gone."""
        lead_q = (
            sa.select(
                deliveries.c.status,
                deliveries.c.message_id,
                deliveries.c.thread_id,
                subscriptions.c.guild_id,
                subscriptions.c.channel_id,
                subscriptions.c.mode,
                subscriptions.c.feed_id,
            )  # fmt: skip
            .join(subscriptions, subscriptions.c.id == deliveries.c.subscription_id)
            .where(deliveries.c.id == lead_id)
        )
        members_q = (
            sa.select(feeds.c.id, feeds.c.title, items.c.link, items.c.title.label("item_title"))
            .select_from(deliveries)
            .join(items, items.c.id == deliveries.c.item_id)
            .join(feeds, feeds.c.id == items.c.feed_id)
            .where(deliveries.c.story_of == lead_id, deliveries.c.status != FAILED)
            .order_by(deliveries.c.story_at, deliveries.c.id)
        )
        async with self._read() as conn:
            lead = (await conn.execute(lead_q)).first()
            if lead is None:
                return None
            members = (await conn.execute(members_q)).all()
        seen = {int(lead.feed_id)}
        outlets: list[Outlet] = []
        for m in members:
            if int(m.id) not in seen:
                seen.add(int(m.id))
                outlets.append(Outlet(m.title, m.link, m.item_title))
        in_forum = lead.mode == FORUM and lead.thread_id is not None
        return StoryGroup(
            lead_id=lead_id, status=lead.status, guild_id=int(lead.guild_id),
            channel_id=int(lead.thread_id) if in_forum else int(lead.channel_id),
            message_id=None if lead.message_id is None else int(lead.message_id),
            feed_id=int(lead.feed_id), outlets=tuple(outlets),
        )  # fmt: skip
