"""Posting one item where its subscription wants it: a message, a forum post, or a message
with its own discussion thread.

Discord dedups a channel message sent again with the same nonce, but creating a thread
takes no nonce: a second request after a crash would be a visible duplicate. The guard
is ours, and it lives in the database:

- FORUM: before asking for the post, the delivery records its name and the time of that
  first attempt (`mark_intent`, committed). Any later attempt first lists the forum's
  active posts for one of ours with that name, created since then and recorded by no
  other delivery, and takes it instead of creating a second one.
- THREAD: the message goes out with its nonce like any post, and its id is recorded
  (`mark_posted`) before the thread is asked for. A thread asked for again on the same
  message is refused by Discord (160004, one exists), which the sink counts as done.
"""

from __future__ import annotations

import datetime as dt
import logging
import unicodedata

from bot import escape
from bot.feeds.items import ItemSummaries
from bot.feeds.rows import Delivery
from bot.feeds.runtime import DeliveryResult, Runtime, Sink, guarded
from bot.feeds.schema import FORUM, THREAD, utcnow
from bot.ingest.controls import strip_invisible
from bot.models import Summary

log = logging.getLogger("precis.feeds")

NAME_MAX = 100  # Discord: a thread's or forum post's name has 1-100 characters
# Discord's clock (a post's id holds its creation time) and ours may differ a little.
CLOCK_SKEW = dt.timedelta(seconds=30)


def post_name(title: str | None, fallback: str | None = None) -> str:
    """The name of a forum post or thread: the item's title on one line, no control
    characters, no ping, 1-100 characters (cut at a word, with "…")."""
    for candidate in (title, fallback, "New item"):
        text = " ".join(strip_invisible(candidate or "").split())
        if any(unicodedata.category(ch)[0] not in "CZ" for ch in text):  # something shows
            return escape.cut(escape.plain(text), NAME_MAX)
    return "New item"


class Posting:
    def __init__(self, rt: Runtime, sink: Sink, items: ItemSummaries) -> None:
        self.rt = rt
        self.sink = sink
        self.items = items

    async def post(self, delivery: Delivery) -> DeliveryResult:
        """Post one item as its subscription wants; sent only once all of it exists."""
        if delivery.mode == THREAD:
            return await self._with_thread(delivery)
        summary = await self.items.for_delivery(delivery)
        if delivery.mode == FORUM:
            return await self._forum(delivery, summary)
        return await guarded(self.sink.deliver(delivery, summary), f"delivery {delivery.id}")

    async def _forum(self, d: Delivery, summary: Summary) -> DeliveryResult:
        store = self.rt.store
        wanted = post_name(d.item.title or summary.title, d.feed_title)
        intent = await self.rt.commit(store.mark_intent(d.id, wanted, utcnow(), d.lease_token))
        if intent is None:  # another worker took this post over: leave it to it
            return DeliveryResult.retry(0, "the claim on this post was lost")
        since, name = intent
        if d.intent_at is not None:  # an earlier attempt may have created it: look first
            found = await self._own_post(d, name, since)
            if found is not None:
                return found
        return await guarded(self.sink.create_forum_post(d, summary, name), f"forum post {d.id}")

    async def _own_post(self, d: Delivery, name: str, since: dt.datetime) -> DeliveryResult | None:
        """The post an earlier attempt created (sent), a reason to wait (retry, gone), or
        None when there is none and it may be created."""
        try:
            listed = await self.sink.own_forum_posts(d, name, since - CLOCK_SKEW)
        except Exception as exc:  # never create a second post on a listing we could not read
            log.exception("listing the posts of forum %s failed", d.channel_id)
            return DeliveryResult.retry(0, f"sink error: {type(exc).__name__}")
        if isinstance(listed, DeliveryResult):
            return listed
        taken = await self.rt.store.recorded_threads(listed)
        ours = sorted(set(listed) - taken)
        if not ours:
            return None
        log.info("delivery %s: forum post %s already exists (a crash before it was recorded)",
                 d.id, ours[0])  # fmt: skip
        # A forum post's first message has the post's id.
        return DeliveryResult.sent(ours[0], thread_id=ours[0])

    async def _with_thread(self, d: Delivery) -> DeliveryResult:
        message_id, name = d.message_id, d.thread_name
        if message_id is None:
            summary = await self.items.for_delivery(d)
            posted = await guarded(self.sink.deliver(d, summary), f"delivery {d.id}")
            if posted.kind != "sent" or posted.message_id is None:
                return posted
            message_id = posted.message_id
            name = post_name(d.item.title or summary.title, d.feed_title)
            await self.rt.commit(self.rt.store.mark_posted(d.id, message_id, name, d.lease_token))
        name = name or post_name(d.item.title, d.feed_title)
        started = await guarded(self.sink.start_thread(d, message_id, name), f"thread {d.id}")
        if started.kind != "sent":
            return started
        return DeliveryResult.sent(message_id, thread_id=started.thread_id)
