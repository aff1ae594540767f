from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from bot.feeds.service import FeedService
from bot.ingest.feeds import (
    NotAFeed,
    discover_feed_links,
    html_to_text,
    item_fingerprint,
    item_key,
    parse_feed,
)
from tests.feeds.feedserver import FeedServer

SEEDS = Path(__file__).resolve().parents[2] / "seeds" / "feeds"

# file -> (content type served, feedparser version, title, item count, newest title)
FORMATS = {
    "rss091.xml": ("application/rss+xml", "rss091n", "Harbour Gazette", 3,
                   "Ferry timetable changes for the winter season"),
    "rss092.xml": ("application/rss+xml", "rss092", "Valley Observatory Notes", 2,
                   "Comet visible to the naked eye this week"),
    "rss10.rdf": ("application/rdf+xml", "rss10", "University Library News", 2,
                  "Rare maps collection goes online"),
    "rss20.xml": ("application/rss+xml", "rss20", "The Daily Meridian", 3,
                  "Rail strike ends after agreement on pay"),
    "atom03.xml": ("application/atom+xml", "atom03", "Workshop Diary", 2,
                   "Restoring a 1950s radio cabinet"),
    "atom10.xml": ("application/atom+xml", "atom10", "Climate Desk", 3,
                   "Glaciers lost record ice last year"),
    "latin1.xml": ("text/xml", "rss20", "La Gazette du Léman", 2,
                   "Fête des vignerons : l'édition d'été attire déjà des milliers de réservations"),
    "cp1252.xml": ("application/xml", "rss20", "Café Chronicle", 1,
                   "\u201cBest croissant in town\u201d \u2013 the judges\u2019 verdict"),
    "broken.xml": ("application/rss+xml", "rss20", "Odd & Broken Blog", 5,
                   "Post with a nonsense date"),
    "jsonfeed.json": ("application/feed+json", "json1", "Garden Log", 2,
                      "First tomatoes of the summer"),
}  # fmt: skip


def test_every_seed_feed_is_covered() -> None:
    files = {p.name for p in SEEDS.iterdir()} - {"site.html"}
    assert files == set(FORMATS)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_seed_feed_parses(name: str) -> None:
    content_type, version, title, count, newest = FORMATS[name]
    feed = parse_feed(
        (SEEDS / name).read_bytes(), url=f"https://feeds.example.org/{name}",
        content_type=content_type,
    )  # fmt: skip
    assert feed.version == version
    assert feed.title == title
    assert len(feed.items) == count
    assert feed.newest is not None and feed.newest.title == newest
    assert len({it.key for it in feed.items}) == count
    for item in feed.items:
        assert item.link is None or item.link.startswith(("http://", "https://"))
        assert "<" not in (item.title or "")
        assert item.published is None or item.published.tzinfo is not None
    if name != "broken.xml":
        assert all(it.link and it.title for it in feed.items)


def test_latin1_accents_survive() -> None:
    feed = parse_feed((SEEDS / "latin1.xml").read_bytes(), url="https://x.example/latin1.xml")
    texts = [it.text for it in feed.items]
    assert any("Treize kilomètres entre Évian et Lausanne" in t for t in texts)
    assert feed.items[0].title == "Traversée du lac à la nage : ça se prépare dès l'hiver"
    # Served with an explicit charset, too.
    again = parse_feed(
        (SEEDS / "latin1.xml").read_bytes(),
        url="https://x.example/latin1.xml",
        content_type="text/xml; charset=iso-8859-1",
    )
    assert again.title == "La Gazette du Léman"


def test_cp1252_punctuation_survives() -> None:
    feed = parse_feed((SEEDS / "cp1252.xml").read_bytes(), url="https://x.example/c.xml")
    assert "Crème brûlée came second… and the café’s owner is “delighted”." in feed.items[0].text


def test_broken_feed_is_read_defensively() -> None:
    feed = parse_feed((SEEDS / "broken.xml").read_bytes(), url="https://broken.example.net/rss")
    by_title = {it.title: it for it in feed.items}
    nonsense = by_title["Post with a nonsense date"]
    assert nonsense.published is None
    assert nonsense.link == "https://broken.example.net/relative/post-one"  # resolved
    assert "alert" not in (nonsense.content_html or "") and "<iframe" not in (
        nonsense.content_html or ""
    )
    assert nonsense.text == "This description has a link, an image and bold text."
    assert by_title["Post without any link"].link is None
    assert by_title["Post without any link"].text == "Escaped HTML & an ampersand, in a paragraph."
    assert by_title["Post dated far in the future"].published is None
    assert by_title["Post with a javascript link"].link is None
    untitled = by_title[None]
    assert untitled.key.startswith("h:") and "only this text" in untitled.text
    # Every item can be told apart, and a re-parse gives the same keys.
    again = parse_feed((SEEDS / "broken.xml").read_bytes(), url="https://broken.example.net/rss")
    assert [it.key for it in again.items] == [it.key for it in feed.items]


def test_items_come_oldest_first() -> None:
    feed = parse_feed((SEEDS / "rss20.xml").read_bytes(), url="https://m.example/feed.xml")
    dates = [it.published for it in feed.items]
    assert dates == sorted(dates)  # type: ignore[type-var]
    undated = parse_feed((SEEDS / "rss091.xml").read_bytes(), url="https://g.example/rss")
    assert undated.items[0].title == "Fish market reopens after storm damage"  # last in the file


def test_html_page_and_garbage_are_not_feeds() -> None:
    with pytest.raises(NotAFeed) as info:
        parse_feed((SEEDS / "site.html").read_bytes(), url="https://m.example/")
    assert info.value.is_html
    with pytest.raises(NotAFeed, match="empty"):
        parse_feed(b"   ", url="https://m.example/feed")
    with pytest.raises(NotAFeed, match="not a JSON Feed"):
        parse_feed(b'{"hello": 1}', url="https://m.example/feed.json")


def test_discovery_from_the_seed_site_page() -> None:
    html = (SEEDS / "site.html").read_text(encoding="utf-8")
    assert discover_feed_links(html, "https://meridian.example.com/news/") == [
        "https://meridian.example.com/feed.xml",
        "https://meridian.example.com/news/atom.xml",
    ]


def test_discovery_falls_back_to_feed_looking_anchors() -> None:
    html = '<a href="/blog/feed/">RSS</a> <a href="https://other.example/feed">x</a>'
    assert discover_feed_links(html, "https://site.example/") == ["https://site.example/blog/feed/"]


def test_item_identity() -> None:
    when = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    assert item_key("abc", "https://x/1", "T", when) == item_key(" abc ", None, None, None)
    assert item_key(None, "https://X/1/", "T", None) == item_key(None, "https://x/1", "U", when)
    assert item_key(None, None, "T", when).startswith("h:")
    assert item_key(None, None, "T", when) != item_key(None, None, "T", None)
    assert item_fingerprint("Title", "https://x/1", None) == item_fingerprint(
        " title ", "https://x/1#frag", when
    )
    assert item_fingerprint("Title", None, None) is None  # too weak to dedup on


def test_html_to_text() -> None:
    assert html_to_text("<p>One</p><script>x()</script><p>Two &amp; three</p>") == (
        "One\n\nTwo & three"
    )
    assert html_to_text("plain   text") == "plain text"


@pytest.mark.parametrize("name", sorted(FORMATS))
async def test_seed_feed_subscribes_over_http(
    name: str, server: FeedServer, poller: FeedService
) -> None:
    content_type, _, title, count, _ = FORMATS[name]
    url = server.file(f"/{name}", (SEEDS / name).read_bytes(), content_type)
    sub, got_title, got_count = await poller.add_subscription(url, 1, 2)
    assert (got_title, got_count) == (title, count)
    assert sub.feed_title == title


async def test_seed_site_page_discovers_over_http(server: FeedServer, poller: FeedService) -> None:
    server.file("/feed.xml", (SEEDS / "rss20.xml").read_bytes(), "application/rss+xml")
    server.file("/news/atom.xml", (SEEDS / "atom10.xml").read_bytes(), "application/atom+xml")
    page = server.file("/news/", (SEEDS / "site.html").read_bytes(), "text/html; charset=utf-8")
    _, title, count = await poller.add_subscription(page, 1, 2)
    assert (title, count) == ("The Daily Meridian", 3)


def test_json_feed_items_are_read_like_rss_items() -> None:
    """Both formats build items the same way: authors trimmed (blank is none),
    an item listed twice kept once, a feed without a title named after its host."""
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "items": [
            {"id": "1", "url": "https://news.example/a", "title": "A", "content_text": "Body",
             "authors": [{"name": "  Ada Lovelace  "}]},
            {"id": "1", "url": "https://news.example/a", "title": "A", "content_text": "Body"},
            {"id": "2", "url": "https://news.example/b", "title": "B", "content_text": "Body",
             "authors": [{"name": "   "}]},
        ],
    }  # fmt: skip
    feed = parse_feed(json.dumps(doc).encode(), url="https://news.example/feed.json")
    assert feed.title == "news.example"
    assert sorted((it.title, it.author) for it in feed.items) == [
        ("A", "Ada Lovelace"),
        ("B", None),
    ]
