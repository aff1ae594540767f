"""The "Also covered by" field: linked outlets, the rest counted, every name escaped,
within Discord's limits, and replaced (never added twice) when the post is edited again."""

from __future__ import annotations

import re

from bot.discord_adapter.embeds import embed_dict
from bot.discord_adapter.stories import (
    ALSO_FIELD,
    EMBED_TOTAL,
    FIELD_VALUE,
    _embed_size,
    also_line,
    with_outlets,
)
from bot.feeds.story_rows import Outlet
from bot.models import SourceInfo, Stats, Summary


def _outlets(n: int) -> tuple[Outlet, ...]:
    return tuple(Outlet(f"Outlet {i}", f"https://news{i}.example/a", None) for i in range(n))


def test_at_most_n_outlets_are_linked_and_the_rest_counted() -> None:
    assert also_line(_outlets(2), 5) == (
        "[Outlet 0](https://news0.example/a) · [Outlet 1](https://news1.example/a)"
    )
    line = also_line(_outlets(8), 5)
    assert line.count("](https://") == 5 and line.endswith(" · +3 more")


def test_names_cannot_ping_or_break_the_link_and_bad_links_are_left_out() -> None:
    hostile = (
        Outlet("@everyone [x](https://evil.example) *bold*", "javascript:alert(1)", None),
        Outlet("Fine", "https://fine.example/a) [y](https://evil.example", None),
    )
    line = also_line(hostile, 5)
    assert "@everyone" not in line.replace("@\u200beveryone", "")
    assert "javascript:" not in line
    assert not re.search(r"(?<!\\)\]\(https://evil", line)  # no masked link to it
    assert "[Fine](https://fine.example/a%29%20[y]%28https://evil.example)" in line
    assert "\\*bold\\*" in line


def test_the_line_fits_the_field_and_the_embed() -> None:
    many = tuple(Outlet("N" * 60, "https://x.example/" + "p" * 380, None) for _ in range(20))
    assert len(also_line(many, 20)) <= FIELD_VALUE
    summary = Summary(
        title="T" * 256, language="en", source=SourceInfo(url="https://a.example/"),
        summary=["Sentence number one is here. " * 20] * 8, entities=[],
        stats=Stats(words=1, sentences=1, summary_words=1, reduction=0.0), algorithm="x",
    )  # fmt: skip
    embed = embed_dict(summary, feed_name="Feed")
    edited = with_outlets(embed, many, 20)
    assert _embed_size(edited) <= EMBED_TOTAL
    again = with_outlets(edited, _outlets(2), 5)  # an edit repeated: replaced, not added
    assert [f["name"] for f in again["fields"]].count(ALSO_FIELD) == 1
    assert again["fields"][-1]["value"] == also_line(_outlets(2), 5)
