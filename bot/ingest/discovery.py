"""Feed discovery: the feeds a web page advertises (no I/O).

lxml parses the page: Python's HTMLParser, used before, is quadratic on some
broken markup (20,000 unclosed "<a " took 24 s), and every step after the parse
is linear and capped (a page of 60,000 feed-like links took minutes to de-duplicate).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from bot.ingest.controls import strip_invisible

FEED_TYPES = (
    "application/atom+xml",
    "application/rss+xml",
    "application/rdf+xml",
    "application/feed+json",
    "application/json",
    "application/xml",
    "text/xml",
)


def http_link(value: Any, base: str) -> str | None:
    """`value` made absolute against `base`, when it is an http(s) link; else None
    (also for what urllib cannot parse, such as "http://[::1" — a ValueError)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        link = urljoin(base, value.strip())
        return link if urlsplit(link).scheme in ("http", "https") else None
    except ValueError:
        return None


_FEEDISH = re.compile(
    r"(/feed/?|/rss/?|/atom/?|\.rss|\.atom|\.rdf|/feed\.xml|/rss\.xml|/index\.xml)$"
)
# Discovery returns at most this many links (the poller tries the first 4), and reads at
# most this many <link rel="alternate"> and <a> elements of a page, in page order: a page
# lists a handful of feeds, and a page of 60,000 feed-like links must not cost more.
MAX_FEED_LINKS = 8
_MAX_ALTERNATES = 64
_MAX_ANCHORS = 5000


def discover_feed_links(html: str, base_url: str) -> list[str]:
    """Feed URLs a page advertises: `<link rel="alternate">` first (Atom, RSS, then the
    rest, in page order), then same-site `<a>` links that look like feeds; at most
    `MAX_FEED_LINKS`."""
    base_href, alternates, anchors = _page_links(html)
    base = _join(base_url, base_href) if base_href else base_url
    # The site's own order among RSS / Atom / RDF; generic XML and JSON after those.
    preferred = FEED_TYPES[:3]
    ordered = sorted(enumerate(alternates), key=lambda p: (p[1][0] not in preferred, p[0]))
    found: dict[str, None] = {}  # an ordered set: membership costs O(1), not O(n)
    for _, (_, href) in ordered:
        link = http_link(href, base)
        if link:
            found.setdefault(link)
    site = urlsplit(base_url).hostname
    for href in anchors:
        if len(found) >= MAX_FEED_LINKS:
            break
        link = http_link(href, base)
        if (
            link
            and urlsplit(link).hostname == site
            and _FEEDISH.search(urlsplit(link).path.lower())
        ):
            found.setdefault(link)
    return list(found)[:MAX_FEED_LINKS]


def _join(base: str, href: str) -> str:
    try:
        return urljoin(base, href)
    except ValueError:  # an href urllib cannot parse ("http://[::1") is ignored
        return base


def _feedish(link: str) -> bool:
    return _FEEDISH.search(urlsplit(link).path.lower()) is not None


def _page_links(html: str) -> tuple[str | None, list[tuple[str, str]], list[str]]:
    """The page's first <base href>, its feed <link rel="alternate">s as (type, href),
    and the hrefs of its <a>s, in page order, up to the caps."""
    root = _parse_page(html)
    base: str | None = None
    alternates: list[tuple[str, str]] = []
    anchors: list[str] = []
    if root is None:
        return base, alternates, anchors
    for element in root.iter("base", "link", "a"):
        href = element.get("href") or ""
        if element.tag == "base":
            if href and base is None:
                base = href
        elif element.tag == "link":
            rels = (element.get("rel") or "").lower().split()
            kind = (element.get("type") or "").lower().split(";")[0].strip()
            feed = "alternate" in rels and kind in FEED_TYPES and href
            if feed and len(alternates) < _MAX_ALTERNATES:
                alternates.append((kind, href))
        elif href and len(anchors) < _MAX_ANCHORS:
            anchors.append(href)
    return base, alternates, anchors


def _parse_page(html: str) -> Any:
    """The page as an lxml tree, or None when there is nothing to parse."""
    import lxml.html
    from lxml import etree

    data = strip_invisible(html).encode("utf-8", errors="replace")
    if not data.strip():
        return None
    try:
        return lxml.html.document_fromstring(data, parser=_UTF8_HTML_PARSER)
    except (etree.ParserError, ValueError):
        return None


def _html_parser() -> Any:
    from lxml import etree

    return etree.HTMLParser(encoding="utf-8")


_UTF8_HTML_PARSER = _html_parser()
