"""Same-story grouping for the deliverer: one story, one post per channel.

Before an item is posted, its keys (bot/nlp/story_features.py, from the summary the post
shows anyway) are matched against the channel's story index (bot/nlp/stories.py: the
items the channel got in the last `story_window`, at most `story_max_items`). The
decision — a post of its own, or joining the post of an earlier item of another feed —
is recorded with the keys before anything is sent (bot/feeds/story_rows.py), so a
restart or another worker acts on it instead of deciding again. A joined item edits the
story's first post to list it ("Also covered by"), or replies to that post when it
cannot be edited; the line is derived from the recorded group, so a repeated edit is the
same edit.

The index of a channel is a cache of the database: built from the recorded keys of the
window when the channel first needs it (after a restart too), topped up with what other
workers recorded since, and kept for the `story_channels` most recently used channels.
A lock per channel serializes deciding and posting there, so two feeds' reports of one
story arriving together are decided one after the other.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field

from bot.feeds.items import ItemSummaries
from bot.feeds.posting import Posting
from bot.feeds.rows import Delivery
from bot.feeds.runtime import DeliveryResult, Runtime, Sink, guarded
from bot.feeds.schema import FAILED, utcnow
from bot.feeds.story_rows import StoryRow
from bot.models import Summary
from bot.nlp.stories import GroupingParams, StoryIndex
from bot.nlp.story_features import StoryFeatures, story_features

log = logging.getLogger("precis.feeds")

_SYNC_OVERLAP = dt.timedelta(seconds=60)  # other workers' decisions may land a bit late


def summary_features(summary: Summary) -> StoryFeatures:
    """An item's grouping keys from the summary its post shows and the article's opening
    (a post made of the feed's own lines has none: its lines are its text)."""
    return story_features(
        summary.title, summary.summary, summary.entities, summary.language,
        summary.opening or " ".join(summary.summary),
    )  # fmt: skip


@dataclass
class ChannelStories:
    """One channel's recent items: the index, the feed of each story's first post, and
    which recorded decisions it holds (so a top-up adds each once)."""

    index: StoryIndex
    first_feed: dict[str, int] = field(default_factory=dict)
    known: dict[int, float] = field(default_factory=dict)  # delivery id -> decided at
    synced: dt.datetime | None = None

    def add(self, row: StoryRow) -> None:
        if row.delivery_id in self.known:
            return
        features = StoryFeatures.from_json(row.keys)
        if features is None:
            return
        story = str(row.story_of or row.delivery_id)
        if row.story_of is None:
            self.first_feed[story] = row.feed_id
        when = row.story_at.timestamp()
        self.index.remember(story, features, when)
        self.known[row.delivery_id] = when

    def forget_before(self, since: float, most: int) -> None:
        """Bound the bookkeeping like the index: the window, at most `most` items."""
        while self.known:
            oldest, when = next(iter(self.known.items()))
            if when >= since and len(self.known) <= most:
                break
            del self.known[oldest]
            self.first_feed.pop(str(oldest), None)


class StoryGrouping:
    def __init__(self, rt: Runtime, sink: Sink, items: ItemSummaries, posting: Posting) -> None:
        self.rt = rt
        self.sink = sink
        self.items = items
        self.posting = posting
        self._channels: OrderedDict[int, ChannelStories] = OrderedDict()
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    @property
    def enabled(self) -> bool:
        return self.rt.config.story_window > 0

    def lock(self, channel_id: int) -> asyncio.Lock:
        """The channel's lock: deciding and posting there, one item at a time."""
        found = self._locks.get(channel_id)
        if found is None:
            found = self._locks[channel_id] = asyncio.Lock()
        return found

    def _params(self) -> GroupingParams:
        config = self.rt.config
        return GroupingParams(window_seconds=config.story_window, max_items=config.story_max_items)

    async def _channel(self, channel_id: int, now: dt.datetime) -> ChannelStories:
        config = self.rt.config
        since = now - dt.timedelta(seconds=config.story_window)
        found = self._channels.get(channel_id)
        if found is None:
            found = ChannelStories(StoryIndex(self._params()))
            after = None
        else:
            self._channels.move_to_end(channel_id)
            after = found.synced - _SYNC_OVERLAP if found.synced else None
        rows = await self.rt.store.story_rows(
            channel_id, since, config.story_max_items, after=after
        )
        for row in rows:
            found.add(row)
        found.forget_before(since.timestamp(), config.story_max_items)
        found.synced = now
        self._channels[channel_id] = found
        while len(self._channels) > max(1, config.story_channels):
            self._channels.popitem(last=False)
        return found

    async def decide(self, d: Delivery) -> Delivery | None:
        """The delivery with its recorded decision (taken now when there is none yet);
        None when the claim on it was lost meanwhile (nothing is sent then)."""
        if d.story_decided or not self.enabled:
            return d
        summary = await self.items.for_delivery(d)
        features = await asyncio.to_thread(summary_features, summary)
        # Read the channel's decisions, decide and record while no other worker decides
        # there: each sees the other's item (the time is taken inside, after theirs).
        async with self.rt.store.deciding_in(d.channel_id):
            now = utcnow()
            channel = await self._channel(d.channel_id, now)
            story = channel.index.match(features, now.timestamp()) if d.group_stories else None
            # A feed's second report of a story is news of its own (an update): posted.
            lead = int(story) if story and channel.first_feed.get(story) != d.feed_id else None
            recorded = await self.rt.commit(
                self.rt.store.decide_story(d.id, features.to_json(), lead, now, d.lease_token)
            )
            if not recorded:
                log.info("delivery %s: its claim was lost before its story was recorded", d.id)
                return None
            channel.add(StoryRow(d.id, d.feed_id, lead, now, features.to_json()))
        if lead is not None:
            log.info("item %s of subscription %s joins the story of delivery %s",
                     d.item.key, d.subscription_id, lead)  # fmt: skip
        return dataclasses.replace(d, story_decided=True, story_of=lead)

    async def join(self, d: Delivery) -> DeliveryResult:
        """Add the item to its story's first post (or reply to that post)."""
        assert d.story_of is not None
        group = await self.rt.store.story_group(d.story_of)
        if group is None or group.status == FAILED:
            # That post never came out (given up) or is forgotten: the item is posted.
            await self.rt.commit(self.rt.store.unlink_story(d.id, d.lease_token))
            return await self.posting.post(dataclasses.replace(d, story_of=None))
        if group.message_id is None:
            return DeliveryResult.retry(
                self.rt.config.delivery_retry_base, "waiting for the story's first post"
            )
        return await guarded(self.sink.add_to_story(d, group), f"story of delivery {d.id}")
