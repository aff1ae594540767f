"""Rendering: Discord's embed limits, escaping, and the text/Markdown/JSON forms."""

from __future__ import annotations

import datetime as dt
import json

from bot.discord_adapter.embeds import (
    EMBED_DESCRIPTION,
    EMBED_FIELD_VALUE,
    EMBED_TITLE,
    EMBED_TOTAL,
    embed_dict,
    embed_length,
)
from bot.models import Entity, SourceInfo, Stats, Summary
from bot.render import to_json, to_markdown, to_text


def make_summary(sentences: list[str], entities: list[Entity] | None = None,
                 title: str = "A title") -> Summary:  # fmt: skip
    words = sum(len(s.split()) for s in sentences)
    return Summary(
        title=title,
        language="en",
        source=SourceInfo(
            name="Example News",
            url="https://example.org/a",
            author="Jane Doe",
            published=dt.date(2024, 1, 25),
        ),  # fmt: skip
        summary=sentences,
        entities=entities or [],
        stats=Stats(words=words * 10, sentences=40, summary_words=words, reduction=0.9),
        algorithm="precis",
    )


def test_embed_has_title_link_summary_entities_and_source_line() -> None:
    summary = make_summary(
        ["First sentence here.", "Second one."],
        [
            Entity(text="Lloyd Austin", type="person", count=2),
            Entity(text="Bagdad", type="place", count=3),
            Entity(text="Daech", type="organization", count=2),
        ],  # fmt: skip
    )
    embed = embed_dict(summary)
    assert embed["title"] == "A title"
    assert embed["url"] == "https://example.org/a"
    assert embed["description"] == "• First sentence here.\n• Second one."
    field = embed["fields"][0]
    assert field["name"] == "Key entities"
    assert "**People:** Lloyd Austin" in field["value"]
    assert "**Places:** Bagdad" in field["value"]
    assert "**Organizations:** Daech" in field["value"]
    footer = embed["footer"]["text"]
    assert footer.startswith("Example News · Jane Doe · 2024-01-25 · English (en)")
    assert "90% shorter" in footer


def test_huge_article_stays_within_every_limit() -> None:
    sentence = ("The committee examined the extraordinarily detailed proposal again and "
                "again before voting on it. ")  # fmt: skip
    giant = [sentence.strip() + f" ({i})" for i in range(10)] + ["word " * 3000]
    entities = [Entity(text=f"Organisation Number {i} International", type="organization",
                       count=30 - i) for i in range(25)]  # fmt: skip
    embed = embed_dict(make_summary(giant, entities, title="T" * 400))
    assert len(embed["title"]) <= EMBED_TITLE
    assert len(embed["description"]) <= EMBED_DESCRIPTION
    assert all(len(f["value"]) <= EMBED_FIELD_VALUE for f in embed["fields"])
    assert embed_length(embed) <= EMBED_TOTAL
    # whole sentences only: every bullet but a lone giant one is an untouched sentence
    for line in embed["description"].split("\n"):
        assert line[2:] in giant or line.endswith("…")
    # whole entity names only
    names = embed["fields"][0]["value"].split("**Organizations:** ")[1].split(", ")
    assert all(name.startswith("Organisation Number") and name.endswith("International")
               for name in names)  # fmt: skip


def test_mentions_and_markdown_are_defused() -> None:
    embed = embed_dict(make_summary(["Hello @everyone and @here, see *this* and <@123>."]))
    description = embed["description"]
    assert "@everyone" not in description and "@here" not in description
    assert "<@123>" not in description
    assert "\\*this\\*" in description


def test_text_markdown_and_json_forms() -> None:
    summary = make_summary(["One *bold* claim."], [Entity(text="Paris", type="place", count=1)])
    text = to_text(summary)
    assert "- One *bold* claim." in text and "Places: Paris" in text
    markdown = to_markdown(summary)
    assert "## [A title](https://example.org/a)" in markdown
    assert "One \\*bold\\* claim." in markdown
    data = json.loads(to_json(summary))
    assert data["source"]["published"] == "2024-01-25"
    assert data["entities"] == [{"text": "Paris", "type": "place", "count": 1}]
