"""Real news reports of a few stories (ECB+, tests/data/stories) as outlets publish them:
an article page on the loopback feed server and an item in the outlet's feed."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from typing import Any

from tests.conftest import ROOT
from tests.feeds.feedserver import Entry, FeedServer, LiveFeed

SAMPLE = ROOT / "tests" / "data" / "stories" / "ecb_sample.jsonl"
# Where ECB+ kept a page's time as its title ("9: 53 AM, MON 22 JUL 2013"), the headline
# is the text's first line, as the outlet's feed shows it.
HEADLINES = ("Latest on Waitrose supermarket fire",
             "Fire at Waitrose supermarket may have been arson")  # fmt: skip


def reports(story: str) -> list[dict[str, Any]]:
    """The sample's reports of `story` (e.g. "14/ecbplus": the Waitrose fire, five)."""
    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    found = [r for r in rows if r["story"] == story]
    for row in found:
        for headline in HEADLINES:
            if row["text"].startswith(headline + " "):
                row["title"], row["text"] = headline, row["text"][len(headline) + 1 :]
    return found


def page(title: str, text: str, outlet: str, language: str = "en") -> bytes:
    """The report as an outlet's article page."""
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z])", text)
    paragraphs = [" ".join(sentences[i : i + 2]) for i in range(0, len(sentences), 2)]
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        f"<html lang='{language}'><head><title>{html.escape(title)}</title>"
        f"<meta property='og:site_name' content='{html.escape(outlet)}'></head><body>"
        f"<article><h1>{html.escape(title)}</h1>{body}</article></body></html>"
    ).encode()


def publish(
    feeds: FeedServer, feed: LiveFeed, slug: str, title: str, text: str, language: str = "en"
) -> None:
    """The outlet publishes the report: its page, and an item in its feed whose own
    content is the article too (what a full-text feed carries)."""
    path = f"/{slug}.html"
    body = page(title, text, feed.title, language)
    feeds.file(path, body, "text/html; charset=utf-8")
    feed.entries.append(Entry(
        n=len(feed.entries) + 1, title=title, link=feeds.url(path), guid=slug,
        published=dt.datetime.now(dt.UTC), description=body.decode(),
    ))  # fmt: skip
    feed.version += 1
