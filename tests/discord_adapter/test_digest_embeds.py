"""A digest's messages: within every Discord limit, each story whole and once, in order,
never a sentence cut; the same content gives the same messages."""

from __future__ import annotations

import re
from typing import Any

from bot.discord_adapter.digest_embeds import (
    EMBEDS_PER_MESSAGE,
    digest_pages,
    story_text,
)
from bot.discord_adapter.embeds import EMBED_DESCRIPTION, EMBED_TOTAL, embed_length

SENTENCE = (
    "The regional council of {n} approved a plan to rebuild the northern quay, which storms "
    "damaged last winter, at a cost of {n}.5 million euros over three years."
)


def story(n: int, outlets: int = 1, sentence: str | None = None) -> dict[str, Any]:
    return {
        "title": f"Story {n}: the quay of town {n} will be rebuilt",
        "link": f"https://news.example.com/{n}",
        "sentences": [sentence or SENTENCE.format(n=n)],
        "outlets": [
            {"name": f"Outlet {k}", "link": f"https://o{k}.example.com/{n}"} for k in range(outlets)
        ],
    }


def content(stories: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "schedule": "daily 08:00", "timezone": "Europe/Paris",
        "start": "2027-03-27T07:00:00+00:00", "end": "2027-03-28T06:00:00+00:00",
        "items": len(stories), "stories": stories,
    }  # fmt: skip


def check_limits(pages: list[list[dict[str, Any]]]) -> None:
    for page in pages:
        assert 1 <= len(page) <= EMBEDS_PER_MESSAGE
        assert sum(embed_length(e) for e in page) <= EMBED_TOTAL
        for embed in page:
            assert len(embed["description"]) <= EMBED_DESCRIPTION
            assert len(embed.get("title", "")) <= 256


def test_a_long_digest_is_split_whole_stories_at_a_time() -> None:
    stories = [story(n, outlets=1 + n % 4, sentence=SENTENCE.format(n=n) * 3) for n in range(40)]
    pages = digest_pages(content(stories))
    assert len(pages) >= 3
    check_limits(pages)
    text = "\n\n".join(e["description"] for page in pages for e in page)
    # Every story's text is there whole, once, in order.
    positions = [text.index(story_text(s)) for s in stories]
    assert positions == sorted(positions)
    assert all(text.count(story_text(s)) == 1 for s in stories)
    assert pages[0][0]["title"] == "Digest · Sun 28 Mar 2027 08:00 CEST"
    assert [p[-1]["footer"]["text"] for p in pages] == [
        f"Part {n} of {len(pages)} · 40 stories · daily 08:00" for n in range(1, len(pages) + 1)
    ]
    assert digest_pages(content(stories)) == pages  # the same every time


def test_a_story_shows_its_sentences_whole_and_its_outlets() -> None:
    text = story_text(story(3, outlets=9))
    assert text.startswith("**[Story 3: the quay of town 3 will be rebuilt]")
    assert text.split("\n")[1] == SENTENCE.format(n=3)
    assert "*9 outlets:* [Outlet 0](https://o0.example.com/3)" in text
    assert text.endswith("· and 3 more")


def test_a_sentence_too_long_is_left_out_whole_never_cut() -> None:
    giant = "word " * 900 + "end."
    text = story_text(story(1, sentence=giant))
    assert "word" not in text and text.count("\n") == 1  # the title and the outlets
    two = story(2)
    two["sentences"] = [SENTENCE.format(n=2), giant, "A short one after it."]
    outlet = "*1 outlet:* [Outlet 0](https://o0.example.com/2)"
    assert story_text(two).split("\n")[1:3] == [SENTENCE.format(n=2), outlet]
    check_limits(digest_pages(content([story(1, sentence=giant), story(2)])))


def test_outside_text_cannot_ping_or_break_the_layout() -> None:
    bad = {
        "title": "@everyone [click](https://evil.example) **bold**",
        "link": "javascript:alert(1)",
        "sentences": ["<@123> wins\n# heading"],
        "outlets": [{"name": "[x](https://evil.example)", "link": "https://ok.example/a b)"}],
    }
    text = story_text(bad)
    assert "@\u200beveryone" in text and "<\u200b@123\\> wins # heading" in text
    assert "](https://evil.example)" not in text.replace("\\](https://evil.example)", "")
    assert "javascript:" not in text
    assert "https://ok.example/a%20b%29" in text
    assert not re.search(r"\n#", text)
