"""Test doubles for the feed engine: a live feed server on 127.0.0.1, a fake Discord sink
and a fake summarizer. Real HTTP, real feed XML, real database; only Discord is faked."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import format_datetime
from typing import Any
from xml.sax.saxutils import escape

from aiohttp import web

from bot.discord_adapter import digest_embeds
from bot.discord_adapter.notices import notice_text
from bot.errors import PrecisError
from bot.feeds.rows import Delivery, Notice
from bot.feeds.runtime import DeliveryResult
from bot.feeds.story_rows import StoryGroup
from bot.ingest.feeds import html_to_text
from bot.models import SourceInfo, Stats, Summary

BASE_TIME = dt.datetime(2024, 5, 1, 8, 0, tzinfo=dt.UTC)


@dataclass
class Entry:
    n: int
    title: str
    link: str
    guid: str
    published: dt.datetime
    description: str


@dataclass
class LiveFeed:
    """An RSS 2.0 feed whose items the test adds; newest first in the document."""

    path: str
    title: str = "Loopback News"
    entries: list[Entry] = field(default_factory=list)
    window: int = 20  # items shown in the document
    status: int = 200
    churn_guids: bool = False  # a new GUID for every item on every fetch
    conditional: bool = True  # honour If-None-Match / If-Modified-Since
    version: int = 0
    fetches: int = 0
    fetch_headers: list[dict[str, str]] = field(default_factory=list)
    body_override: bytes | None = None
    _counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def add(self, count: int = 1, *, link_base: str = "https://news.example.com") -> list[Entry]:
        added = []
        for _ in range(count):
            n = next(self._counter)
            entry = Entry(
                n=n,
                title=f"Story number {n} about the harbour",
                link=f"{link_base}/story/{n}",
                guid=f"story-{n}",
                published=BASE_TIME + dt.timedelta(minutes=n),
                description=f"<p>Story {n}: the <b>harbour</b> council met on day {n}.</p>",
            )
            self.entries.append(entry)
            added.append(entry)
        self.version += 1
        return added

    @property
    def etag(self) -> str:
        return f'"v{self.version}"'

    @property
    def last_modified(self) -> str:
        return format_datetime(BASE_TIME + dt.timedelta(seconds=self.version), usegmt=True)

    def render(self) -> bytes:
        shown = list(reversed(self.entries))[: self.window]
        items = []
        for e in shown:
            guid = e.guid
            if self.churn_guids:
                guid = (
                    f"{e.guid}-{self.fetches}-{hashlib.md5(str(self.fetches).encode()).hexdigest()}"
                )
            items.append(
                "<item>"
                f"<title>{escape(e.title)}</title>"
                f"<link>{escape(e.link)}</link>"
                f'<guid isPermaLink="false">{escape(guid)}</guid>'
                f"<pubDate>{format_datetime(e.published, usegmt=True)}</pubDate>"
                f"<description>{escape(e.description)}</description>"
                "</item>"
            )
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            f"<title>{escape(self.title)}</title><link>https://news.example.com/</link>"
            "<description>Test feed</description>" + "".join(items) + "</channel></rss>"
        ).encode()

    async def handle(self, request: web.Request) -> web.Response:
        self.fetches += 1
        self.fetch_headers.append(dict(request.headers))
        if self.status != 200:
            return web.Response(status=self.status, text="server error")
        if self.body_override is not None:
            return web.Response(body=self.body_override, content_type="application/rss+xml")
        if self.conditional and not self.churn_guids:
            if request.headers.get("If-None-Match") == self.etag:
                return web.Response(status=304, headers={"ETag": self.etag})
            if request.headers.get(
                "If-Modified-Since"
            ) == self.last_modified and not request.headers.get("If-None-Match"):
                return web.Response(status=304)
        headers = (
            {"ETag": self.etag, "Last-Modified": self.last_modified} if self.conditional else {}
        )
        return web.Response(body=self.render(), headers=headers, content_type="application/rss+xml")


class FeedServer:
    """aiohttp on 127.0.0.1 in the test's own event loop."""

    def __init__(self) -> None:
        self.app = web.Application()
        self.app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self.routes: dict[
            str, Callable[[web.Request], asyncio.Future[web.StreamResponse]] | object
        ] = {}
        self.feeds: dict[str, LiveFeed] = {}
        self.files: dict[str, tuple[bytes, str]] = {}
        self.hits: dict[str, int] = {}
        self.runner = web.AppRunner(self.app, shutdown_timeout=0.1)
        self.port = 0

    async def start(self) -> None:
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        await self.runner.cleanup()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def feed(self, path: str, **kwargs: object) -> LiveFeed:
        live = LiveFeed(path=path, **kwargs)  # type: ignore[arg-type]
        self.feeds[path] = live
        return live

    def file(self, path: str, body: bytes, content_type: str) -> str:
        self.files[path] = (body, content_type)
        return self.url(path)

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        self.hits[request.path] = self.hits.get(request.path, 0) + 1
        if request.path in self.feeds:
            return await self.feeds[request.path].handle(request)
        if request.path in self.files:
            body, content_type = self.files[request.path]
            return web.Response(body=body, headers={"Content-Type": content_type})
        return web.Response(status=404, text="not found")


@dataclass
class Post:
    channel_id: int
    nonce: str
    title: str | None
    item_key: str
    message_id: int


class FakeSink:
    """Stands in for Discord: records posts, dedups by nonce like enforce_nonce does,
    and answers what the test scripts (retry / gone / hang) before succeeding."""

    def __init__(self) -> None:
        self.posts: list[Post] = []
        self.notices: list[tuple[int, int, str]] = []
        self.attempts: list[Delivery] = []
        self.script: list[DeliveryResult | str] = []  # consumed one per deliver(); "hang" blocks
        self.by_nonce: dict[str, int] = {}
        self.notice_script: list[DeliveryResult | str] = []  # "raise" raises
        self.digest_script: list[DeliveryResult | str] = []  # consumed one per digest page
        self.digests: list[tuple[int, str, Any]] = []  # (channel, nonce, embeds) per page
        self._ids = itertools.count(1000)
        self.delivered = asyncio.Event()
        # (channel, message id, outlets' names) of each "Also covered by" edit; a message id
        # in `uneditable` is answered with a reply (its id in `replies`) as Discord's
        # refusal would be
        self.edits: list[tuple[int, int, tuple[str, ...]]] = []
        self.uneditable: set[int] = set()
        self.replies: list[tuple[int, int, str]] = []  # (message replied to, reply id, nonce)
        self.story_script: list[DeliveryResult] = []  # answers to add_to_story, consumed first

    async def deliver(self, delivery: Delivery, summary: Summary) -> DeliveryResult:
        self.attempts.append(delivery)
        step = self.script.pop(0) if self.script else None
        if isinstance(step, DeliveryResult):
            return step
        if step == "raise":  # a bug or an unexpected answer inside the sink
            raise RuntimeError("unexpected answer from Discord")
        if step in ("hang", "post-then-hang"):
            if step == "post-then-hang":  # Discord created it; we never hear back
                self._create(delivery, summary)
            await asyncio.sleep(3600)
        message_id = self._create(delivery, summary)
        self.delivered.set()
        return DeliveryResult.sent(message_id)

    def _create(self, delivery: Delivery, summary: Summary) -> int:
        if delivery.nonce in self.by_nonce:  # enforce_nonce: the same message comes back
            return self.by_nonce[delivery.nonce]
        message_id = next(self._ids)
        self.by_nonce[delivery.nonce] = message_id
        self.posts.append(
            Post(delivery.channel_id, delivery.nonce, summary.title, delivery.item.key, message_id)
        )
        return message_id

    async def add_to_story(self, delivery: Delivery, group: StoryGroup) -> DeliveryResult:
        assert group.message_id is not None
        if self.story_script:
            return self.story_script.pop(0)
        if group.message_id in self.uneditable:
            if delivery.nonce not in self.by_nonce:
                self.by_nonce[delivery.nonce] = next(self._ids)
                self.replies.append(
                    (group.message_id, self.by_nonce[delivery.nonce], delivery.nonce)
                )
            return DeliveryResult.sent(self.by_nonce[delivery.nonce])
        names = tuple(o.name for o in group.outlets)
        self.edits.append((group.channel_id, group.message_id, names))
        return DeliveryResult.sent(None)

    async def notify(self, notice: Notice) -> DeliveryResult:
        """Words the notice as the Discord adapter does (bot.discord_adapter.notices)."""
        if self.notice_script:
            step = self.notice_script.pop(0)
            if step == "raise":
                raise RuntimeError("unexpected answer from Discord")
            if isinstance(step, DeliveryResult):
                return step
        self.notices.append((notice.guild_id, notice.channel_id, notice_text(notice)))
        return DeliveryResult.sent(next(self._ids))

    def digest_pages(self, content: dict[str, Any]) -> list[Any]:
        """The Discord adapter's own pages (bot/discord_adapter/digest_embeds.py)."""
        return digest_embeds.digest_pages(content)

    async def post_digest_page(self, channel_id: int, page: Any, nonce: str) -> DeliveryResult:
        step = self.digest_script.pop(0) if self.digest_script else None
        if isinstance(step, DeliveryResult):
            return step
        if step in ("hang", "post-then-hang"):
            if step == "post-then-hang":  # Discord created it; we never hear back
                self._digest_page(channel_id, page, nonce)
            await asyncio.sleep(3600)
        return DeliveryResult.sent(self._digest_page(channel_id, page, nonce))

    def _digest_page(self, channel_id: int, page: Any, nonce: str) -> int:
        if nonce in self.by_nonce:  # enforce_nonce: the same message comes back
            return self.by_nonce[nonce]
        message_id = next(self._ids)
        self.by_nonce[nonce] = message_id
        self.digests.append((channel_id, nonce, page))
        return message_id

    def titles(self, channel_id: int | None = None) -> list[str | None]:
        return [p.title for p in self.posts if channel_id is None or p.channel_id == channel_id]


class FakeSummarizer:
    """The lead's summarize() wraps the pipeline; here it summarizes the feed's own
    content, and can be told to fail on links (as a dead article page would)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str | None, str | None, int]] = []
        self.fail_links = False

    async def __call__(
        self, link: str | None, fallback_html: str | None, sentences: int
    ) -> Summary:
        self.calls.append((link, fallback_html, sentences))
        if link is not None and self.fail_links:
            raise PrecisError("The page at news.example.com answered 404 Not Found.")
        text = html_to_text(fallback_html or "")
        title = text.split(":")[0] if text else None
        words = len(text.split())
        return Summary(
            title=title,
            language="en",
            source=SourceInfo(name=None, url=link),
            summary=[text] if text else [],
            entities=[],
            stats=Stats(words=words, sentences=1, summary_words=words, reduction=0.0),
            algorithm="fake",
        )
