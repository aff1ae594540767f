"""A whole web page pasted as text: find the article among the page's furniture.

A browser's select-all + copy of a news page gives the menus (one item a
line, often bulleted), "Skip to content", cookie notices, bylines, share
buttons, related headlines and the footer around the article. This is
boilerplate removal as jusText does it on HTML, minus the tags: each line is
judged by its length, its sentence punctuation and its share of stop words
(jusText's lists, ~100 languages), short lines by their neighbours, and the
article is the largest run of prose; what lies far from it is dropped.

It runs only on text that looks like a page (many lines, most of them short
and unpunctuated, or bulleted): an article pasted alone never gets here, so
its output stays what it was.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.ingest.text_line import Line, count_words_upto, ends_sentence
from bot.ingest.text_stoplists import stop_words

# A page: at least this many lines, and this share of them furniture-like.
_PAGE_MIN_LINES = 25
_PAGE_MIN_FURNITURE = 0.45
_STUB_WORDS = 5
# jusText's thresholds (its defaults: 70/200 characters, 0.30/0.32 stop words).
_SHORT_CHARS = 70
_LONG_CHARS = 200
_STOP_LOW = 0.30
_STOP_HIGH = 0.32
# A line of prose has sentence punctuation at its end (or is long).
_UNPUNCTUATED_MAX_WORDS = 25
# Fewer words of prose than this: the page has no article to find.
_MIN_PROSE_WORDS = 30
# What a line of furniture costs beyond its words, in words of prose.
_LINE_COST = 15

_BULLET = re.compile(r"^(?:[+*•·▪◦‣○●■□►▶o\-–—>|]|\d{1,2}[.)])\s")
_LINKISH = re.compile(r"https?://|www\.|\S+\.(?:com|org|net|html?)\b|@\w", re.IGNORECASE)
_WORD = re.compile(r"\w+(?:[’'\-]\w+)*")
_INNER_END = re.compile(r"[.!?…。！？][\"'”’»)]*\s")
_COOKIE_NOTICE = re.compile(
    r"\bcookies?\b|\b(?:website|site|browser|consent|privacy|opt[- ]out|tracking)\b", re.IGNORECASE
)
_SEPARATOR = re.compile(r"\s(?:[|•·›»/]|--?)\s")
# A related story's link copied as one line: its headline glued to its teaser, with no
# space ("…Strike PossibleThe United Auto Workers union…", "…On The Rise?Violence is…")
# or with the teaser's dateline ("…return home from US NEW DELHI: Their American…").
_GLUE = re.compile(r"(?<=[a-z0-9?!’'”\")])(?=[A-Z][a-z]|[AI] [a-z])")
_GLUED_DATELINE = re.compile(r"(?P<head>[^.!?:]{20,}?[a-z0-9’'”)]) (?:[A-Z][A-Z.]+ ?){1,3}: [A-Z]")
# "Hong Kong (CNN Business)A muddled view…": an agency's dateline glued to the lead.
_AGENCY_DATELINE = re.compile(r"\((?:\w+|[^()]*\b[A-Z]{2,}\b[^()]*)\)$")
_HEADLINE_MIN_WORDS = 4
_HEADLINE_MAX_CHARS = 200
_TEASER_MIN_WORDS = 6

GOOD, SHORT, BAD = 2, 1, 0
# A full sentence with few stop words (a lead full of names): prose next to prose.
NAMES = 3
_NAMES_MIN_WORDS = 12

# An author's box: a heading ending with a name (2-4 capitalised words, the heading at
# most 6 words), a last paragraph naming the person in its first 12 words, and the name
# in a line of at most 12 words above the article.
_AUTHOR_HEADING_WORDS = 6
_AUTHOR_NAME_WORDS = 4
_AUTHOR_OPENING_WORDS = 12
_BYLINE_MAX_WORDS = 12

# The kinds of line after which an article's body starts, and how much text may stand
# above them (words, share of the text) for that to be the top of the page.
_BODY_STARTS_BELOW = frozenset({"byline", "date"})
# Lines the cleaner already named that still weigh as furniture where they stand when
# the page's article is looked for: dates, bylines, share and "read more" links, menus,
# prompts. Not captions, credits or copyright lines: photos and embedded posts stand
# inside articles ("Image copyright Getty Images" between two paragraphs).
_WEIGHED_KINDS = frozenset(
    {"byline", "date", "share", "read-more", "newsletter", "promo", "cookies", "menu"}
)
_STANDFIRST_MAX_WORDS = 80
_STANDFIRST_MAX_SHARE = 0.25
_SENTENCE_MIN_WORDS = 5

# A drop cap copied apart from its word: "H ong Kong is burning." (a letter, a space,
# the rest of the word in lowercase) at the start of a paragraph of prose.
_DROP_CAP = re.compile(r"^([^\W\d_])[ \u00a0]([^\W\d_]+)\b")
_DROP_CAP_MIN_WORDS = 8


def looks_like_page(lines: list[Line]) -> bool:
    """Many lines, most of them menu items, bullets or labels rather than prose."""
    if len(lines) < _PAGE_MIN_LINES:
        return False
    furniture = sum(_classify(line.text, frozenset()) == BAD for line in lines)
    return furniture >= _PAGE_MIN_FURNITURE * len(lines)


def _furniture_like(text: str) -> bool:
    if _BULLET.match(text):
        return True
    return count_words_upto(text, _STUB_WORDS) <= _STUB_WORDS and not ends_sentence(text)


def drop_page_furniture(lines: list[Line], language: str | None) -> None:
    """Mark every line of the page that is not the article's prose (kind "page").

    `lines` are all the lines of the page; those the cleaner already named (kind not
    None) are judged no more, but the ones in `_WEIGHED_KINDS` still weigh as furniture
    where they stand: a comment thread is prose between dates, and its dates must cost.
    A related story's teaser (its headline glued before it) is furniture too."""
    stops = stop_words(language) if language else frozenset()
    judged = [line for line in lines if line.kind is None or line.kind in _WEIGHED_KINDS]
    classes = [
        _classify(line.text, stops) if line.kind is None and not line.teaser else BAD
        for line in judged
    ]
    _resolve_short(classes)
    keep = _article_runs(judged, classes)
    content = [(line, kept) for line, kept in zip(judged, keep, strict=True) if line.kind is None]
    kept_words = sum(
        count_words_upto(line.text, _MIN_PROSE_WORDS) for line, kept in content if kept
    )
    if kept_words < _MIN_PROSE_WORDS:
        return  # no prose on the page (a table of results): better all of it than nothing
    for line, verdict in content:
        if not verdict:
            line.kind = "page"


def drop_author_box(lines: list[Line]) -> None:
    """The last paragraph of a page, under a heading that ends with a person's name
    ("Emiliano Bellini", "Über Moritz Bachmann", "Sobre Carlos Nadalim") and naming that
    person in its first words, is the author's box, not the article's end: when that
    name also stood in a short line above the article (its byline, however written)."""
    kept = [i for i, line in enumerate(lines) if line.kind is None]
    if len(kept) < 2 or kept[-1] < 1:
        return
    heading, last = lines[kept[-1] - 1].text, lines[kept[-1]].text
    if ends_sentence(heading) or count_words_upto(heading, 10) > _AUTHOR_HEADING_WORDS:
        return
    capitalised: list[str] = []
    words: list[str] = _WORD.findall(heading)
    for word in reversed(words):
        if not word[:1].isupper() or len(capitalised) == _AUTHOR_NAME_WORDS:
            break
        capitalised.insert(0, word)
    opening = set(_WORD.findall(last)[:_AUTHOR_OPENING_WORDS])
    bylines = [
        line.text
        for line in lines[: kept[0]]
        if count_words_upto(line.text, _BYLINE_MAX_WORDS) <= _BYLINE_MAX_WORDS
    ]
    for size in range(len(capitalised), 1, -1):
        name = capitalised[-size:]
        written = " ".join(name)
        if set(name) & opening and any(written in line for line in bylines):
            lines[kept[-1]].kind = "author"
            return


def _classify(text: str, stops: frozenset[str]) -> int:
    """jusText's context-free verdict on one line: GOOD, SHORT or BAD."""
    words = _WORD.findall(text.lower())
    if not words or _BULLET.match(text) and len(words) < _UNPUNCTUATED_MAX_WORDS:
        return BAD
    if _LINKISH.search(text) and len(words) < 12:
        return BAD
    if not ends_sentence(text) and (
        len(words) <= _UNPUNCTUATED_MAX_WORDS or not _INNER_END.search(text)
    ):
        return BAD  # a heading, a label, a menu, a list of dates: no sentence in it
    if ("cookie" in words or "cookies" in words) and len(_COOKIE_NOTICE.findall(text)) >= 2:
        return BAD  # a cookie notice or policy, however long
    if len(_SEPARATOR.findall(text)) >= 2 and len(words) < 30:
        return BAD  # "Home | News | Sport", "By X · 3 min read"
    if len(text) < _SHORT_CHARS:
        return SHORT
    if not stops:
        return GOOD
    density = sum(word in stops for word in words) / len(words)
    if density >= _STOP_HIGH:
        return GOOD
    if density >= _STOP_LOW and len(text) <= _LONG_CHARS:
        return SHORT
    if density >= _STOP_LOW:
        return GOOD
    return NAMES if len(words) >= _NAMES_MIN_WORDS and ends_sentence(text) else BAD


def headline_with_teaser(text: str) -> bool:
    """A headline in title case (every word of four letters or more capitalised, no
    sentence end) glued to the sentence of its teaser, or followed by its dateline.
    Only the line's first 200 characters are looked at (a headline is shorter)."""
    text = _BULLET.sub("", text[: _HEADLINE_MAX_CHARS + 100], count=1)
    dated = _GLUED_DATELINE.match(text)
    if dated and len(dated.group("head").split()) >= _HEADLINE_MIN_WORDS:
        return True
    for glue in _GLUE.finditer(text, 0, _HEADLINE_MAX_CHARS):
        head = text[: glue.start()]
        words = _WORD.findall(head)
        last = words[-1] if words else ""
        if len(words) < _HEADLINE_MIN_WORDS or len(last) < 3 or last.startswith(("Mc", "Mac")):
            continue  # "McCain", "MacBook": a name, not a glue
        if _AGENCY_DATELINE.search(head):
            continue
        if any(len(word) >= 4 and not (word[0].isupper() or word[0].isdigit()) for word in words):
            continue
        if count_words_upto(text[glue.start() :], _TEASER_MIN_WORDS) >= _TEASER_MIN_WORDS:
            return True
    return False


def _resolve_short(classes: list[int]) -> None:
    """A short line is prose between prose, furniture next to furniture (jusText's
    context step, simplified: both nearest sure neighbours must be prose). Two passes,
    so a page of a million short lines costs a million steps, not a million squared."""
    before = [BAD] * len(classes)
    last = BAD
    for index, verdict in enumerate(classes):
        before[index] = last
        if verdict in (GOOD, BAD):
            last = verdict
    last = BAD
    for index in range(len(classes) - 1, -1, -1):
        verdict = classes[index]
        if verdict == SHORT:
            classes[index] = GOOD if before[index] == GOOD and last == GOOD else BAD
        elif verdict == NAMES:
            classes[index] = GOOD if GOOD in (before[index], last) else BAD
        else:
            last = verdict


def _article_runs(content: list[Line], classes: list[int]) -> list[bool]:
    """The article is the stretch of lines where prose outweighs furniture most: the
    maximum-sum segment when a prose line counts its words and any other line costs
    its words and a little more (Finn et al.'s body text extraction, on lines)."""
    best_sum = best_start = best_end = 0
    current = 0
    start = 0
    for index, verdict in enumerate(classes):
        words = count_words_upto(content[index].text, 10_000)
        current += words if verdict == GOOD else -(words + _LINE_COST)
        if current <= 0:
            current, start = 0, index + 1
        elif current > best_sum:
            best_sum, best_start, best_end = current, start, index + 1
    return [
        best_start <= index < best_end and verdict == GOOD for index, verdict in enumerate(classes)
    ]


def drop_standfirst(lines: list[Line]) -> None:
    """What stands above the byline or the date line near the top of the text, from its
    first sentence on (a standfirst, a photo caption, a promo), is not the article's: the
    body starts below that line. The headline before it, unpunctuated, stays for the title."""
    total = sum(count_words_upto(line.text, 10_000) for line in lines if line.kind is None)
    above = 0
    for index, line in enumerate(lines):
        if line.kind in _BODY_STARTS_BELOW:
            # From the first sentence on (the headline and a section name come first).
            started = False
            for before in lines[:index]:
                started = started or (
                    before.kind is None
                    and ends_sentence(before.text)
                    and count_words_upto(before.text, _SENTENCE_MIN_WORDS) >= _SENTENCE_MIN_WORDS
                )
                if started and before.kind is None:
                    before.kind = "standfirst"
            return
        if line.kind is None:
            above += count_words_upto(line.text, 10_000)
            if above > _STANDFIRST_MAX_WORDS or above > _STANDFIRST_MAX_SHARE * total:
                return


def join_drop_cap(text: str, language: Callable[[], str | None]) -> str:
    """The paragraph with its drop cap joined back to its word ("H ong Kong" -> "Hong
    Kong"): a capital letter that is not a word of the language (its stop words name the
    one-letter words: "A", "I", "y", "à") before a lowercase piece that is not one either,
    at the start of a paragraph of prose. `language` is asked only when the shape is
    there; without the language's stop words the text stays as it is."""
    match = _DROP_CAP.match(text)
    if match is None:
        return text
    letter, rest = match.group(1), match.group(2)
    if not (letter.isupper() and rest.islower()) or len(rest) < 2 or not ends_sentence(text):
        return text
    if count_words_upto(text, _DROP_CAP_MIN_WORDS) < _DROP_CAP_MIN_WORDS:
        return text
    code = language()
    stops = stop_words(code) if code else frozenset()
    if not stops or letter.lower() in stops or rest in stops:
        return text
    return letter + text[match.start(2) :]
