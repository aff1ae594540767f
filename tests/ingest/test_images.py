"""The article's lead image: real pages (tests/data/html) and real feeds (tests/data/feeds)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.escape import MAX_URL
from bot.ingest.feeds import parse_feed
from bot.ingest.html import extract_html
from bot.pipeline import HtmlSource, summarize_local
from bot.render import to_json_dict
from tests.conftest import DATA

HTML = DATA / "html"
FEEDS = DATA / "feeds"
BBC = "c7e39ac49fa1235f5d50f83bf2444248bd3aa4e6df044377916c812dd109ba23.html"
ALJAZEERA = "42aad16bde9288623543642a9ce1a396be83e2db44aa2ff8cbbfe46e14abd7cc.html"
NYPOST = "a1fca19b884e0e946ad3fbe2a7f5031e5e3b23372702a76db302b6143c77cb31.html"


def page(name: str) -> str:
    return (HTML / name).read_text(encoding="utf-8", errors="replace")


def test_og_image_of_real_pages() -> None:
    assert extract_html(page(BBC)).image == (
        "https://ichef.bbci.co.uk/images/ic/1024x576/p07b8nx5.jpg"
    )
    aljazeera = extract_html(page(ALJAZEERA)).image
    assert aljazeera == (
        "https://www.aljazeera.com/mritems/Images/2019/11/19/a9cf182c1e584777b8bfc3fb35e64a9a_18.jpg"
    )
    # og:image:secure_url is preferred; the &amp; entities are decoded
    nypost = extract_html(page(NYPOST)).image
    assert nypost == (
        "https://thenypost.files.wordpress.com/2019/11/taliban-release-47-1.jpg"
        "?quality=90&strip=all&w=618"
    )


def test_summary_json_carries_the_image_and_null_without_one() -> None:
    _, summary = summarize_local(HtmlSource(page(BBC)))
    assert to_json_dict(summary)["image"].endswith("/p07b8nx5.jpg")
    _, plain = summarize_local(HtmlSource(page("share_caption.html")))
    data = to_json_dict(plain)
    assert "image" in data and data["image"] is None


def _swap_image(html: str, head: str) -> str:
    """The BBC page with its image metadata replaced by `head`."""
    lines = [line for line in html.split("\n") if "image" not in line or "<meta" not in line]
    return "\n".join(lines).replace("</head>", head + "</head>", 1)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        # a tracking pixel declared by og:image:width/height
        ('<meta property="og:image" content="https://t.example.com/p.gif">'
         '<meta property="og:image:width" content="1">'
         '<meta property="og:image:height" content="1">', None),
        # ...then the twitter image, which declares no size, is taken
        ('<meta property="og:image" content="https://t.example.com/p.gif">'
         '<meta property="og:image:width" content="1"><meta property="og:image:height" '
         'content="1"><meta name="twitter:image" content="https://img.example.com/lead.jpg">',
         "https://img.example.com/lead.jpg"),
        # an <img> of the page declares the og:image as a 1x1 pixel
        ('<meta property="og:image" content="https://t.example.com/px.png">'
         '</head><body><img src="https://t.example.com/px.png" width="1" height="1">', None),
        # never a data: URL, never javascript:
        ('<meta property="og:image" content="data:image/png;base64,iVBORw0KGgo=">', None),
        ('<meta property="og:image" content="javascript:alert(1)">', None),
        # relative: resolved against the page
        ('<meta property="og:image" content="/media/lead image.jpg">',
         "https://news.example.com/media/lead%20image.jpg"),
        # too long to link
        (f'<meta property="og:image" content="https://img.example.com/{"a" * MAX_URL}.jpg">',
         None),
        # 100 px is big enough
        ('<meta property="og:image" content="https://img.example.com/ok.jpg">'
         '<meta property="og:image:width" content="100px">', "https://img.example.com/ok.jpg"),
    ],
)  # fmt: skip
def test_page_image_rules(head: str, expected: str | None) -> None:
    html = _swap_image(page(BBC), head)
    article = extract_html(html, url="https://news.example.com/world/story.html")
    assert article.image == expected


def test_feed_item_images_from_a_real_media_rss_feed() -> None:
    parsed = parse_feed(
        (FEEDS / "media_rss.xml").read_bytes(), url="https://review.example.org/rss.xml"
    )
    images = {item.title: item.image for item in parsed.items}
    assert images == {
        # the 1x1 beacon and the video are skipped; media:content before the thumbnail
        "Fish market hall to reopen in spring": "https://cdn.example.org/img/market-hall.jpg",
        # a relative thumbnail, resolved against the feed
        "Ferry timetable changes for winter": "https://review.example.org/img/ferry.png",
        # the image enclosure, not the audio one
        "Quay repairs start on Monday": "https://cdn.example.org/img/quay.jpeg",
        # data: and javascript: URLs are never an image
        "Lighthouse keeper retires": None,
    }


def test_atom_image_enclosure_and_json_feed_image() -> None:
    atom = parse_feed(
        (FEEDS / "atom_enclosure.xml").read_bytes(), url="https://climate.example.com/atom"
    )
    assert atom.items[0].image == "https://climate.example.com/media/glacier.webp"
    data = (FEEDS / "image_feed.json").read_bytes()
    parsed = parse_feed(data, url="https://valley.example.net/feed.json")
    images = {item.title: item.image for item in parsed.items}
    assert images == {
        "Comet visible to the naked eye": "https://valley.example.net/media/comet.jpg",
        "Partial eclipse on Friday": "https://valley.example.net/media/eclipse-banner.png",
        "Meteor shower peaks": None,
    }
    assert json.loads(data)["items"][2]["image"].startswith("data:")


def test_seed_feeds_without_images_have_none() -> None:
    seeds = Path(__file__).resolve().parents[2] / "seeds" / "feeds"
    parsed = parse_feed((seeds / "rss20.xml").read_bytes(), url="https://example.com/rss")
    assert parsed.items and all(item.image is None for item in parsed.items)
