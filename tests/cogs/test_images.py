"""The article's image in embeds, end to end: `/summarize` of a link and feed posts."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cogs.test_feeds import feed_command, live_feed, posts, story_page
from tests.cogs.test_summarize import the_embed
from tests.conftest import DATA
from tests.discord_adapter.conftest import Harness
from tests.feeds.feedserver import FeedServer
from tests.helpers.webserver import ThreadedServer

BBC = DATA / "html" / "c7e39ac49fa1235f5d50f83bf2444248bd3aa4e6df044377916c812dd109ba23.html"


@pytest.fixture
def bot_overrides() -> dict[str, Any]:
    return {"feed_poll_interval": 3600, "feed_retry_seconds": 1}


async def test_summarize_a_link_shows_the_page_image(
    harness: Harness, web_server: ThreadedServer
) -> None:
    url = web_server.add_bytes("/news/assange.html", BBC.read_bytes(), "text/html")
    embed = the_embed(await harness.slash({"url": url}))
    assert embed["image"]["url"] == "https://ichef.bbci.co.uk/images/ic/1024x576/p07b8nx5.jpg"
    # pasted text has no image: no field at all
    text = (DATA / "articles" / "en_spacecraft.txt").read_text(encoding="utf-8")
    assert "image" not in the_embed(await harness.slash({"text": text}))


async def test_feed_posts_show_the_item_image_or_the_page_image(
    harness: Harness, feeds: FeedServer
) -> None:
    media = (DATA / "feeds" / "media_rss.xml").read_text(encoding="utf-8")
    media = media.replace("https://review.example.org/", feeds.url("/"))  # pages that 404
    feeds.file("/media.xml", media.encode(), "application/rss+xml")
    news = int(harness.guild["channels"]["news"])
    options = {"url": feeds.url("/media.xml"), "channel": news, "backlog": True}
    await feed_command(harness, "add", options)
    found = await posts(harness, news, 4)
    images = {m["embeds"][0]["title"]: m["embeds"][0].get("image") for m in found}
    assert images == {
        "Fish market hall to reopen in spring":
            {"url": "https://cdn.example.org/img/market-hall.jpg"},
        "Ferry timetable changes for winter": {"url": feeds.url("/img/ferry.png")},
        "Quay repairs start on Monday": {"url": "https://cdn.example.org/img/quay.jpeg"},
        "Lighthouse keeper retires": None,
    }  # fmt: skip

    # an item without its own image shows its page's og:image
    general = harness.channel
    feed = live_feed(feeds, "/plain.xml", items=0)
    entry = feed.add(1, link_base=feeds.url(""))[0]
    head = '<meta property="og:image" content="/media/harbour.jpg"></head>'
    page = story_page(entry.n).decode().replace("</head>", head)
    feeds.file(f"/story/{entry.n}", page.encode(), "text/html; charset=utf-8")
    await feed_command(harness, "add", {"url": feeds.url("/plain.xml"), "channel": general})
    embed = (await posts(harness, general, 1))[0]["embeds"][0]
    assert embed["image"] == {"url": feeds.url("/media/harbour.jpg")}
