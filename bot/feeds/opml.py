"""OPML in and out: the feeds of a file (`/feed import`) and of a server (`/feed export`).

Reading is strict and bounded: at most `MAX_OPML_BYTES`, parsed by defusedxml with DTDs,
entities and external references refused (so no billion laughs, no XXE, no network), at
most `MAX_OUTLINES` outlines. A file that breaks any rule is refused whole, before
anything is subscribed. One import subscribes at most `MAX_IMPORT_FEEDS` new feeds,
checking `IMPORT_CONCURRENCY` at a time; the feeds past the cap are reported, and running
the same import again takes the next ones (those already followed do not count).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from bot.errors import InputError, PrecisError
from bot.feeds.rows import AlreadySubscribed

if TYPE_CHECKING:
    from bot.feeds.service import FeedService

log = logging.getLogger("precis.feeds")

MAX_OPML_BYTES = 1024 * 1024  # a few thousand feeds fit in far less
MAX_OUTLINES = 2000  # outlines of any kind (folders included) in one file
MAX_IMPORT_FEEDS = 50  # new subscriptions per import
IMPORT_CONCURRENCY = 4  # feeds fetched at once while importing


class OpmlError(InputError):
    """The file is not an OPML file we can read; nothing was changed."""


@dataclass(frozen=True)
class OpmlFeed:
    url: str
    title: str | None = None


@dataclass
class ImportReport:
    added: list[tuple[str, int]] = field(default_factory=list)  # (title, subscription id)
    already: list[str] = field(default_factory=list)  # titles (or URLs)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (title or URL, reason)
    over_cap: list[str] = field(default_factory=list)  # URLs left for a next import


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def parse_opml(data: bytes) -> list[OpmlFeed]:
    """The feeds of an OPML file, nested outlines included, in document order, each URL
    once. Raises `OpmlError` (a clear message) for anything else."""
    if len(data) > MAX_OPML_BYTES:
        raise OpmlError(
            f"That file is {len(data) / 1048576:.1f} MB; an OPML file may be at most "
            f"{MAX_OPML_BYTES // 1048576} MB."
        )
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise OpmlError(
            "That file declares a DTD or entities, which I never expand: export a plain "
            "OPML file (no <!DOCTYPE>, no <!ENTITY>)."
        ) from None
    except (ET.ParseError, ValueError, UnicodeError):
        raise OpmlError("That file is not XML, so not an OPML file I can read.") from None
    if _local(root.tag) != "opml":
        raise OpmlError("That XML file is not OPML (its root element is not <opml>).")
    outlines = [el for el in root.iter() if _local(el.tag) == "outline"]
    if len(outlines) > MAX_OUTLINES:
        raise OpmlError(
            f"That file has {len(outlines):,} outlines; I read at most {MAX_OUTLINES:,}. "
            "Split it into smaller files."
        )
    feeds: list[OpmlFeed] = []
    seen: set[str] = set()
    for outline in outlines:
        attrs = {k.rsplit("}", 1)[-1].lower(): v for k, v in outline.attrib.items()}
        url = (attrs.get("xmlurl") or "").strip()
        if not url or url in seen:
            continue
        seen.add(url)
        title = " ".join((attrs.get("title") or attrs.get("text") or "").split()) or None
        feeds.append(OpmlFeed(url=url[:4096], title=title[:256] if title else None))
    if not feeds:
        raise OpmlError("That OPML file lists no feeds (no outline has an xmlUrl).")
    return feeds


def build_opml(groups: Sequence[tuple[str, Sequence[tuple[str, str]]]], title: str) -> bytes:
    """OPML 2.0 of `groups`: (channel name, [(feed title, feed URL), ...]), one outline per
    channel holding its feeds."""
    opml = ET.Element("opml", version="2.0")
    head = ET.SubElement(opml, "head")
    ET.SubElement(head, "title").text = title
    now = dt.datetime.now(dt.UTC)
    ET.SubElement(head, "dateCreated").text = now.strftime("%a, %d %b %Y %H:%M:%S GMT")
    body = ET.SubElement(opml, "body")
    for name, feeds in groups:
        folder = ET.SubElement(body, "outline", text=name, title=name)
        for feed_title, url in feeds:
            ET.SubElement(
                folder, "outline", type="rss", text=feed_title, title=feed_title, xmlUrl=url
            )
    ET.indent(opml)
    return ET.tostring(opml, encoding="utf-8", xml_declaration=True) + b"\n"


async def import_feeds(
    service: FeedService,
    feeds: Sequence[OpmlFeed],
    guild_id: int,
    channel_id: int,
    *,
    created_by: int | None = None,
    cap: int = MAX_IMPORT_FEEDS,
    concurrency: int = IMPORT_CONCURRENCY,
) -> ImportReport:
    """Subscribe the channel to each feed like `/feed add` does (only the newest item of
    each is posted), `concurrency` at a time, at most `cap` new ones."""
    report = ImportReport()
    followed = {s.feed_url for s in await service.list_subscriptions(channel_id=channel_id)}
    todo: list[OpmlFeed] = []
    for feed in feeds:
        if feed.url in followed:
            report.already.append(feed.title or feed.url)
        elif not _is_web_link(feed.url):
            report.failed.append((feed.title or feed.url, "not an http(s) link"))
        elif len(todo) < cap:
            todo.append(feed)
        else:
            report.over_cap.append(feed.url)
    slots = asyncio.Semaphore(max(1, concurrency))

    async def one(feed: OpmlFeed) -> tuple[str, str, object]:
        async with slots:
            return await _import_one(service, feed, guild_id, channel_id, created_by)

    for kind, name, value in await asyncio.gather(*(one(feed) for feed in todo)):
        if kind == "added":
            report.added.append((name, int(str(value))))
        elif kind == "already":
            report.already.append(name)
        else:
            report.failed.append((name, str(value)))
    return report


async def _import_one(
    service: FeedService,
    feed: OpmlFeed,
    guild_id: int,
    channel_id: int,
    created_by: int | None,
) -> tuple[str, str, object]:
    """("added", feed title, subscription id) | ("already", name, None) |
    ("failed", name, reason)."""
    name = feed.title or feed.url
    try:
        sub, title, _ = await service.add_subscription(
            feed.url, guild_id, channel_id, created_by=created_by
        )
    except AlreadySubscribed:
        return "already", name, None
    except PrecisError as exc:
        return "failed", name, str(exc)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("importing feed %s failed", feed.url)
        return "failed", name, "something went wrong on my side (logged)"
    return "added", title, sub.id


def _is_web_link(url: str) -> bool:
    try:
        parts = urlsplit(url)
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False
