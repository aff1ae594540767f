"""The title of pasted text, and the short stubs around the body.

The title is taken only when a short line stands alone before the body, so
text that is one long paragraph keeps its first sentence. Lines of a few words
without sentence punctuation, between the title and the body (section names,
kickers) or after the last sentence (tags, a channel name), are page furniture.
"""

from __future__ import annotations

import re

from bot.ingest.text_line import QUOTED, Line, count_words_upto, ends_sentence, is_heading_like
from bot.nlp.tokens import count_words

# Lines before the body with fewer words than this are page furniture
# (section names, kickers), not prose.
_STUB_WORDS = 4
# Related stories listed above the article ("- 【速報】横浜市など…"): never the headline.
_LIST_ITEM = re.compile(r"^[-•*·▪►]\s")
# A gallery's or a comment thread's counter: "1 צפייה בגלריה", "12 photos", "3 comments".
_COUNTER = re.compile(r"^\d+\s+\S+(?:\s+\S+)?$")
_BREADCRUMB = re.compile(r"\s[>›»|/•·]\s|\s[>›»|/]$")


def take_title(content: list[Line]) -> str | None:
    """Pick the headline among the short lines that come before the body.

    Lines before the headline are navigation and are dropped; the result is
    None when no short line stands alone before real body text.
    """
    head: list[Line] = []
    for line in content:
        if not is_heading_like(line.text) or line.glued:
            break
        head.append(line)
    if not head or len(head) == len(content):
        return None
    for line in head:
        if _COUNTER.match(line.text):
            line.kind = "counter"  # above the body, a counter is no heading either
    # The headline is the first line of some length that is neither a breadcrumb
    # ("News › World"), a pull quote nor a related story's bullet; failing that, any
    # short line.
    eligible = [line for line in head if line.kind is None and not _LIST_ITEM.match(line.text)]
    chosen = next(
        (
            line
            for line in eligible
            if count_words(line.text) >= 3
            and not _BREADCRUMB.search(line.text)
            and not QUOTED.match(line.text)
        ),
        None,
    ) or next((line for line in eligible if count_words(line.text) >= 2), None)
    if chosen is None:
        return None
    index = head.index(chosen)
    following = content[content.index(chosen) + 1]
    if following.block == chosen.block and not _starts_new_line(chosen.text, following.text):
        return None  # the first line of a hard-wrapped paragraph, not a headline
    for line in head[:index]:
        line.kind = "navigation"
    chosen.kind = "title"
    drop_stubs_before_body(content, after_title=True)
    return chosen.text


def _starts_new_line(line: str, following: str) -> bool:
    """Whether a line break inside a paragraph ends `line` rather than wrapping it.

    Hard-wrapped prose has lines of nearly equal width and often continues in
    lowercase; a heading is much shorter than the line after it.
    """
    first = following.lstrip()[:1]
    if not first or first.islower():
        return False
    # A stub after it ("12 nov", a date cut over lines) ends no wrapped sentence's line.
    short = count_words_upto(following, _STUB_WORDS) < _STUB_WORDS and not ends_sentence(following)
    return short or len(line) < 0.7 * len(following)


def drop_stubs_before_body(content: list[Line], *, after_title: bool) -> None:
    """Very short unpunctuated lines between the title and the body (section
    names, kickers) are page furniture."""
    pending = [line for line in content if line.kind is None]
    for index, line in enumerate(pending):
        if not is_heading_like(line.text) or line.glued:
            break
        following = pending[index + 1] if index + 1 < len(pending) else None
        if (
            after_title
            and count_words(line.text) <= _STUB_WORDS
            and not ends_sentence(line.text)
            and (
                following is None
                or following.block != line.block
                or _starts_new_line(line.text, following.text)
            )
        ):
            line.kind = "stub"


def drop_trailing_stubs(content: list[Line]) -> None:
    """Short unpunctuated lines after the last sentence: tags, nav, a channel name.

    A short last line that continues the sentence above it (same paragraph,
    no full stop before it) is kept.
    """
    for index in range(len(content) - 1, 0, -1):
        line, before = content[index], content[index - 1]
        if (
            count_words_upto(line.text, _STUB_WORDS) > _STUB_WORDS
            or ends_sentence(line.text)
            or line.glued
        ):
            break
        if before.block == line.block and not ends_sentence(before.text):
            break
        line.kind = "stub"
