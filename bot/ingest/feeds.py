"""RSS / Atom / RDF / JSON Feed parsing and feed discovery (no I/O, no discord).

`parse_feed` turns the bytes of a feed into a `ParsedFeed` whose items are
ordered oldest first and carry a stable `key` (GUID, else link, else a hash of
title and date) plus a `fingerprint` (title + link) that catches feeds whose
GUIDs change on every fetch. feedparser is CPU work: callers on an event loop
run `parse_feed` in a thread.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import io
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import feedparser

from bot.errors import InputError
from bot.ingest.discovery import FEED_TYPES, discover_feed_links
from bot.ingest.discovery import http_link as _http_link
from bot.ingest.feedparser_fix import install as _install_feedparser_fix
from bot.ingest.images import entry_image, json_feed_image

__all__ = ["FEED_ACCEPT", "FEED_TYPES", "discover_feed_links", "parse_feed"]

# What we ask servers for: feeds first, HTML last (a site page we can discover from).
FEED_ACCEPT = (
    "application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9, "
    "application/feed+json;q=0.9, application/xml;q=0.8, text/xml;q=0.8, "
    "text/html;q=0.5, */*;q=0.1"
)
# Dates further ahead than this are a publisher's clock or a typo, not a schedule.
FUTURE_SLACK = dt.timedelta(days=2)
OLDEST_DATE = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)


log = logging.getLogger("precis.ingest.feeds")
_install_feedparser_fix()  # its sanitizer is quadratic on unclosed comments


class NotAFeed(InputError):
    """The bytes are not an RSS, Atom, RDF or JSON feed (maybe an HTML page)."""

    def __init__(self, message: str, *, is_html: bool = False) -> None:
        super().__init__(message)
        self.is_html = is_html


@dataclass(frozen=True)
class FeedItem:
    key: str  # stable identity within the feed (see `item_key`)
    guid: str | None
    link: str | None
    title: str | None
    published: dt.datetime | None  # aware UTC, None when absent or unreadable
    content_html: str | None  # the item's own content (HTML allowed), longest of content/summary
    author: str | None = None
    fingerprint: str | None = None  # title + link (or date): catches GUID churn
    image: str | None = None  # the item's own image (media:content, enclosure, JSON `image`)
    categories: tuple[str, ...] = ()  # the feed's categories (RSS category, Atom term, JSON tags)

    @property
    def text(self) -> str:
        """The item's own content as plain text (for filters and the fallback summary)."""
        return html_to_text(self.content_html or "")


@dataclass(frozen=True)
class ParsedFeed:
    url: str
    title: str
    link: str | None
    items: list[FeedItem] = field(default_factory=list)  # oldest first
    version: str = ""  # feedparser's name for the format, e.g. "rss20", "atom10"

    @property
    def newest(self) -> FeedItem | None:
        return self.items[-1] if self.items else None


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _norm_text(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def _norm_link(link: str | None) -> str:
    if not link:
        return ""
    parts = urlsplit(link.strip())
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def item_key(
    guid: str | None,
    link: str | None,
    title: str | None,
    published: dt.datetime | None,
    content: str | None = None,
) -> str:
    """Identity of an item: its GUID, else its link, else a hash of title + date (+ content).

    Keys have a fixed length whatever the GUID's, so they index well: a prefix
    says which field they came from.
    """
    if guid and guid.strip():
        return "g:" + _digest(guid.strip())
    if link and link.strip():
        return "l:" + _digest(_norm_link(link))
    stamp = published.isoformat() if published else ""
    return "h:" + _digest(_norm_text(title), stamp, _norm_text(content)[:500])


def item_fingerprint(
    title: str | None, link: str | None, published: dt.datetime | None
) -> str | None:
    """Title + link: the same story even when its GUID changed. Without a link the
    date stands in (many link-less feeds reuse one title for every item)."""
    title_n = _norm_text(title)
    if link:
        return _digest("tl", title_n, _norm_link(link))
    if title_n and published:
        return _digest("td", title_n, published.isoformat())
    return None


class _TextExtractor(HTMLParser):
    _BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"}
    _SKIP = {"script", "style", "noscript", "iframe", "object", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skip += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skip:
            self._skip -= 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Readable text of an HTML fragment: tags and scripts dropped, paragraphs kept."""
    if "<" not in html and "&" not in html:
        return " ".join(html.split())
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # malformed markup: fall back to a crude strip
        return " ".join(unescape(re.sub(r"<[^>]*>", " ", html)).split())
    text = "".join(parser.parts)
    paragraphs = [" ".join(p.split()) for p in text.split("\n")]
    return "\n\n".join(p for p in paragraphs if p)


def _clean_title(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = html_to_text(value) if ("<" in value or "&" in value) else " ".join(value.split())
    text = " ".join(text.split())
    return text or None


def _date(entry: Any, now: dt.datetime) -> dt.datetime | None:
    for name in ("published_parsed", "updated_parsed", "created_parsed"):
        # dict.get: FeedParserDict's own lookup warns about a deprecated key fallback.
        parsed = dict.get(entry, name)
        if not parsed:
            continue
        try:
            value = dt.datetime.fromtimestamp(calendar.timegm(parsed), dt.UTC)
        except (OverflowError, ValueError, OSError, TypeError):
            continue
        if OLDEST_DATE <= value <= now + FUTURE_SLACK:
            return value
    return None


def _content(entry: Any) -> str | None:
    candidates: list[str] = []
    for block in entry.get("content") or []:
        value = block.get("value") if isinstance(block, dict) else None
        if isinstance(value, str):
            candidates.append(value)
    for name in ("summary", "description"):
        value = entry.get(name)
        if isinstance(value, str):
            candidates.append(value)
    candidates = [c.strip() for c in candidates if c and c.strip()]
    return max(candidates, key=len) if candidates else None


def _looks_like_html(data: bytes) -> bool:
    head = data[:2048].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head or b"<head" in head


# &#xD800;-&#xDFFF; and &#55296;-&#57343;: UTF-16 halves, never characters.
_SURROGATE_REF = re.compile(
    rb"&#(?:[xX]0*[dD][89a-fA-F][0-9a-fA-F]{2}"
    rb"|0*(?:5529[6-9]|55[3-9][0-9]{2}|56[0-9]{3}|57[0-2][0-9]{2}|573[0-3][0-9]|5734[0-3]));"
)


def _feedparse(data: bytes, headers: dict[str, str], url: str) -> Any:
    # A lone surrogate as a character reference (&#xD800;) makes feedparser's own
    # encoding step raise UnicodeEncodeError: neutralize such references first.
    data = _SURROGATE_REF.sub(b"&#xFFFD;", data)
    try:
        return feedparser.parse(io.BytesIO(data), response_headers=headers, sanitize_html=True)
    except (ValueError, TypeError, LookupError, RecursionError) as exc:  # its internals
        log.info("feedparser failed on %s: %s", url, type(exc).__name__)
        raise NotAFeed("I could not read that feed: it is damaged.") from None


def parse_feed(data: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse a feed of any format feedparser reads; items come back oldest first.

    Raises `NotAFeed` (an `InputError`) when the bytes are not a feed; its
    `is_html` says whether they look like a web page worth discovering from.
    """
    if not data.strip():
        raise NotAFeed("The feed is empty: the server sent no content.")
    if data.lstrip()[:1] == b"{":
        return _parse_json_feed(data, url=url)  # feedparser 6.0 does not read JSON Feed
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    # A BytesIO, never raw bytes: feedparser treats a string that looks like a URL or
    # path as something to open.
    parsed = _feedparse(data, headers, url)
    meta = parsed.get("feed", {}) or {}
    entries = parsed.get("entries", []) or []
    version = parsed.get("version", "") or ""
    if not version and not entries:
        is_html = _looks_like_html(data) or "html" in (content_type or "").lower()
        if is_html:
            raise NotAFeed(
                f"{url} is a web page, not a feed, and it does not link to one.", is_html=True
            )
        raise NotAFeed(
            f"{url} is not an RSS, Atom or JSON feed I can read. Check the address "
            "(it should point at the feed itself or at a page that links to it)."
        )
    now = dt.datetime.now(dt.UTC)
    base = url
    items: list[FeedItem] = []
    seen: set[str] = set()
    for entry in entries:
        guid_raw = entry.get("id")
        guid = guid_raw.strip() if isinstance(guid_raw, str) and guid_raw.strip() else None
        link = _http_link(entry.get("link"), base)
        if link is None:  # Atom entries may carry only rel="alternate" links in a list
            for candidate in entry.get("links") or []:
                if candidate.get("rel", "alternate") == "alternate":
                    link = _http_link(candidate.get("href"), base)
                    if link:
                        break
        item = _new_item(
            seen,
            guid=guid,
            link=link,
            title=_clean_title(entry.get("title")),
            published=_date(entry, now),
            content=_content(entry),
            author=entry.get("author"),
            image=entry_image(entry, base),
            categories=_categories(t.get("term") for t in entry.get("tags") or ()),
        )
        if item is not None:
            items.append(item)
    return _feed(url, meta.get("title"), _http_link(meta.get("link"), base), items, version)


def _new_item(
    seen: set[str],
    *,
    guid: str | None,
    link: str | None,
    title: str | None,
    published: dt.datetime | None,
    content: str | None,
    author: object,
    image: str | None = None,
    categories: tuple[str, ...] = (),
) -> FeedItem | None:
    """The item, or None when the document has already listed it (`seen` keys)."""
    key = item_key(guid, link, title, published, content)
    if key in seen:
        return None
    seen.add(key)
    return FeedItem(
        key=key,
        guid=guid,
        link=link,
        title=title,
        published=published,
        content_html=content,
        author=author.strip() if isinstance(author, str) and author.strip() else None,
        fingerprint=item_fingerprint(title, link, published),
        image=image,
        categories=categories,
    )


def _categories(values: Iterable[object]) -> tuple[str, ...]:
    """At most 20 categories of at most 100 characters each, on one line, once each."""
    out: dict[str, None] = {}
    for value in values:
        if isinstance(value, str) and (name := " ".join(value.split())[:100]):
            out.setdefault(name, None)
    return tuple(out)[:20]


def _feed(
    url: str, title: object, link: str | None, items: list[FeedItem], version: str
) -> ParsedFeed:
    """The parsed feed; a feed without a title is named after its host."""
    name = _clean_title(title) or urlsplit(url).hostname or url
    return ParsedFeed(
        url=url, title=name[:256], link=link, items=oldest_first(items), version=version
    )


def _parse_json_feed(data: bytes, *, url: str) -> ParsedFeed:
    """JSON Feed 1.0 / 1.1 (https://jsonfeed.org/version/1.1)."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise NotAFeed(f"{url} is not a feed I can read: its JSON is malformed.") from None
    version = doc.get("version") if isinstance(doc, dict) else None
    if not isinstance(version, str) or "jsonfeed.org" not in version:
        raise NotAFeed(f"{url} is JSON but not a JSON Feed, so I cannot read items from it.")
    now = dt.datetime.now(dt.UTC)
    items: list[FeedItem] = []
    seen: set[str] = set()
    raw_items = doc.get("items")
    for entry in raw_items if isinstance(raw_items, list) else []:
        if not isinstance(entry, dict):
            continue
        guid = str(entry["id"]).strip() if entry.get("id") not in (None, "") else None
        link = _http_link(entry.get("url") or entry.get("external_url"), url)
        title = _clean_title(entry.get("title"))
        published = None
        for name in ("date_published", "date_modified"):
            stamp = entry.get(name)
            if isinstance(stamp, str):
                try:
                    value = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
                except ValueError:
                    continue
                value = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
                value = value.astimezone(dt.UTC)
                if OLDEST_DATE <= value <= now + FUTURE_SLACK:
                    published = value
                    break
        content = entry.get("content_html") or entry.get("content_text") or entry.get("summary")
        authors = entry.get("authors") or ([entry["author"]] if entry.get("author") else [])
        item = _new_item(
            seen,
            guid=guid,
            link=link,
            title=title,
            published=published,
            content=content.strip() if isinstance(content, str) and content.strip() else None,
            author=authors[0].get("name") if authors and isinstance(authors[0], dict) else None,
            image=json_feed_image(entry, url),
            categories=_categories(tags if isinstance(tags := entry.get("tags"), list) else ()),
        )
        if item is not None:
            items.append(item)
    return _feed(url, doc.get("title"), _http_link(doc.get("home_page_url"), url), items, "json1")


def oldest_first(items: list[FeedItem]) -> list[FeedItem]:
    """Order items oldest first: by date when every item has one, else by reversing the
    document order (feeds list newest first; a few list oldest first, which the dates
    of their first and last items reveal)."""
    if len(items) < 2:
        return list(items)
    if all(item.published for item in items):
        indexed = list(enumerate(items))
        # A stable sort; ties keep reverse document order (newest-first feeds).
        indexed.sort(key=lambda pair: (pair[1].published, -pair[0]))
        return [item for _, item in indexed]
    first, last = items[0].published, items[-1].published
    if first and last and first < last:
        return list(items)
    return list(reversed(items))
