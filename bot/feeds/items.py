"""Item summaries: each feed item summarized once for every channel that gets it.

The linked page first; when it cannot be summarized, the feed's own text of the item;
when that fails too, a plain post of the item's own words (`plain_summary`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import OrderedDict

from bot.errors import PrecisError
from bot.feeds.rows import Delivery, StoredItem
from bot.feeds.runtime import FeedStats, Summarize
from bot.ingest.feeds import html_to_text
from bot.models import SourceInfo, Stats, Summary
from bot.options import DEFAULT_SENTENCES, resolve_sentences

log = logging.getLogger("precis.feeds")


class ItemSummaries:
    def __init__(
        self, summarize: Summarize, stats: FeedStats, default_sentences: int = DEFAULT_SENTENCES
    ) -> None:
        self.summarize = summarize
        self.stats = stats
        self.default_sentences = default_sentences
        self._summaries: OrderedDict[tuple[int, int], Summary] = OrderedDict()
        self._summary_locks: dict[tuple[int, int], asyncio.Lock] = {}

    def sentences(self, delivery: Delivery) -> int:
        """The count for this post: the subscription's, else the server's default now."""
        return resolve_sentences(
            None, subscription=delivery.sentences, server=delivery.server.sentences,
            default=self.default_sentences,
        )  # fmt: skip

    async def for_delivery(self, delivery: Delivery) -> Summary:
        return await self.for_stored(delivery.item, delivery.feed_title, self.sentences(delivery))

    async def for_stored(self, item: StoredItem, feed_title: str, sentences: int) -> Summary:
        """A stored item's summary, made once for every channel (and digest) that wants it."""
        cache_key = (item.id, sentences)
        cached = self._summaries.get(cache_key)
        if cached is not None:
            return cached
        # Channels following the same feed get the item at the same moment: one fetch and
        # one summary for all of them, not one each.
        lock = self._summary_locks.setdefault(cache_key, asyncio.Lock())
        try:
            async with lock:
                cached = self._summaries.get(cache_key)
                if cached is not None:
                    return cached
                summary = await self.for_item(
                    item.link, item.content_html, item.title, item.published,
                    feed_title, sentences, image=item.image,
                )  # fmt: skip
                self._summaries[cache_key] = summary
                while len(self._summaries) > 512:  # kept a while: other channels may want it
                    self._summaries.popitem(last=False)
                return summary
        finally:
            if not lock.locked():
                self._summary_locks.pop(cache_key, None)

    async def for_item(
        self,
        link: str | None,
        content_html: str | None,
        title: str | None,
        published: dt.datetime | None,
        feed_title: str,
        sentences: int,
        *,
        image: str | None = None,
    ) -> Summary:
        """The linked page; else the feed's own content; else a plain title-and-text post.
        The item's own image (from the feed) is preferred to the page's."""
        summary = await self._summary(link, content_html, title, published, feed_title, sentences)
        if image and summary.image != image:
            summary = summary.model_copy(update={"image": image})
        return summary

    async def _summary(
        self,
        link: str | None,
        content_html: str | None,
        title: str | None,
        published: dt.datetime | None,
        feed_title: str,
        sentences: int,
    ) -> Summary:
        attempts: list[tuple[str | None, str | None]] = []
        if link:
            attempts.append((link, content_html))
        if content_html:
            attempts.append((None, content_html))
        for target, fallback in attempts:
            try:
                summary = await self.summarize(target, fallback, sentences)
                if target is None:
                    self.stats.fallbacks += 1
                return summary
            except PrecisError as exc:
                log.info("summary of %s failed: %s", target or "feed content", exc)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("summarize crashed on %s", target or "feed content")
        self.stats.fallbacks += 1
        # The item's text may be megabytes of HTML: turned into words off the event loop.
        return await asyncio.to_thread(
            plain_summary, title, content_html, link, published, feed_title, sentences
        )


def plain_summary(
    title: str | None,
    content_html: str | None,
    link: str | None,
    published: dt.datetime | None,
    feed_title: str,
    sentences: int,
) -> Summary:
    """A post made of the item's own words when nothing could be summarized."""
    text = html_to_text(content_html or "")
    lines = [p for p in text.split("\n\n") if p.strip()][: max(1, sentences)]
    body = [line if len(line) <= 600 else line[:597].rstrip() + "…" for line in lines]
    words = len(text.split())
    shown = sum(len(line.split()) for line in body)
    return Summary(
        title=title or feed_title,
        language="und",
        source=SourceInfo(
            name=feed_title, url=link, published=published.date() if published else None
        ),
        summary=body,
        entities=[],
        stats=Stats(
            words=words,
            sentences=len(lines),
            summary_words=shown,
            reduction=round(1 - shown / words, 4) if words else 0.0,
        ),
        algorithm="feed",
    )
