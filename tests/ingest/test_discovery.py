"""Feed discovery on hostile pages: linear, capped, and never an exception.

De-duplication used a list (`link not in out`): a page of 60,000 feed-like links
took minutes. Python's HTMLParser, which read the page, is itself quadratic on
unclosed tags (20,000 "<a " took 24 s). An href urllib cannot parse ("http://[::1")
raised ValueError out of discovery and out of `parse_feed`.
"""

from __future__ import annotations

import time

from benchmarks import hostile
from bot.ingest.discovery import MAX_FEED_LINKS
from bot.ingest.feeds import discover_feed_links, parse_feed
from tests.helpers.deadline import deadline

SITE = "https://site.example/"


def test_a_page_of_60000_feed_links_is_read_in_linear_time_and_capped() -> None:
    page = hostile.feed_link_page(60_000)
    started = time.perf_counter()
    with deadline(10):
        links = discover_feed_links(page, SITE)
    assert time.perf_counter() - started < 3
    assert links == [f"{SITE}f{i}.rss" for i in range(MAX_FEED_LINKS)]


def test_anchors_fill_up_after_the_alternates_in_page_order() -> None:
    page = hostile.feed_link_page(6)  # 3 <link>s and 3 <a>s
    assert discover_feed_links(page, SITE) == [
        f"{SITE}f0.rss",
        f"{SITE}f1.rss",
        f"{SITE}f2.rss",
        f"{SITE}s0/feed",
        f"{SITE}s1/feed",
        f"{SITE}s2/feed",
    ]


def test_atom_and_rss_come_before_generic_types_and_duplicates_go() -> None:
    page = (
        '<link rel="alternate" type="application/json" href="/feed.json">'
        '<link rel="alternate" type="application/atom+xml" href="/atom.xml">'
        '<link rel="Alternate Home" type="application/rss+xml; charset=utf-8" href="/rss.xml">'
        '<link rel="alternate" type="application/atom+xml" href="https://site.example/atom.xml">'
        '<link rel="stylesheet" type="text/css" href="/s.css"><a href="/atom.xml">atom</a>'
    )
    assert discover_feed_links(page, SITE) == [
        f"{SITE}atom.xml",
        f"{SITE}rss.xml",
        f"{SITE}feed.json",
    ]


def test_unclosed_tags_cost_linear_time() -> None:
    for unit in ("<a ", "<!--x", "</", "<a href='x"):
        page = "<p>News</p><a href='/feed'>feed</a>" + unit * 100_000
        started = time.perf_counter()
        with deadline(10):
            links = discover_feed_links(page, SITE)
        assert time.perf_counter() - started < 2, unit
        assert links == [f"{SITE}feed"], unit


def test_links_urllib_cannot_parse_are_skipped() -> None:
    page = '<base href="http://[::1"><a href="http://[::1/feed">x</a><a href="/rss">r</a>'
    assert discover_feed_links(page, SITE) == [f"{SITE}rss"]
    feed = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        b"<link>http://[bad</link><item><title>A</title><link>http://[::1/a</link></item>"
        b"</channel></rss>"
    )
    parsed = parse_feed(feed, url="https://site.example/feed")
    assert parsed.link is None
    assert [(item.title, item.link) for item in parsed.items] == [("A", None)]


def test_empty_and_declared_pages() -> None:
    assert discover_feed_links("", SITE) == []
    assert discover_feed_links("   \n", SITE) == []
    page = (
        "<?xml version='1.0' encoding='iso-8859-1'?><html><head>"
        "<link rel=alternate type=application/rss+xml href=/x.rss></head></html>"
    )
    assert discover_feed_links(page, SITE) == [f"{SITE}x.rss"]
