"""A second opinion on trafilatura's text: the page's text blocks as jusText classifies them.

trafilatura's two passes (combined by `html_merge`) decide which paragraphs are the
article. On its own evaluation set (`benchmarks/trafilatura_eval.py`, half A) half of the
`with` snippets we still missed were in neither pass, yet jusText — a different
algorithm: one block per paragraph of the DOM, classified by length, link density and
stop-word density — had them as good text. jusText alone keeps more furniture than
trafilatura, so it is used only where its evidence and trafilatura's agree:

- Paragraphs trafilatura cut off. A block jusText finds good, that reads as prose
  (MIN_WORDS words or more, ending as a sentence ends, no link in it) and that the text
  lacks comes back, in document order, when it sits where the kept paragraphs sit: at
  the same tag path (`html.body.div.main.article.div.p`, classes aside) as one of them,
  or inside the `<article>` / `<main>` element that holds most of them; never after the
  last kept prose block (what follows an article is teasers and bios far more often than
  more of it). And only when what comes back is a large share of the text
  (MIN_RESTORED_SHARE): a text cut short above an embedded post or a consent box loses a
  third of the article or more, while a lone extra block next to a complete text is, far
  more often, a teaser, a standfirst or a caption the precision pass was right to drop.
- Headings at the very end. After the last paragraph of prose, the trailing headings
  jusText classifies as boilerplate ("Weitere Themen", "Related stories" above a list
  the extractor already left out) are dropped.

Everything is linear in the size of the page and the text (jusText's own last step is
not, so `revise` redoes it).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import justext
from justext.core import ParagraphMaker, classify_paragraphs
from justext.utils import get_stoplist, get_stoplists
from lxml import etree

from bot.ingest.html_merge import SENTENCE_END

# A block comes back, or counts as prose, with at least this many words.
MIN_WORDS = 20
# Blocks come back only when they add at least this share of the text's words.
MIN_RESTORED_SHARE = 0.3
# A block shorter than this (characters of its key) is not looked for inside a line.
MIN_KEY_CHARS = 10
# Word n-grams that find a block inside a line (trafilatura joins or splits paragraphs
# differently from jusText).
NGRAM = 6

_NOT_WORD = re.compile(r"\W+")
_CONTAINER = re.compile(r"^(.*/(?:article|main)\[\d+\])")
_stoplist: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Block:
    text: str
    good: bool  # jusText's final class: good text, not boilerplate
    path: str  # tag path, e.g. "html.body.div.article.p"
    xpath: str  # this element, e.g. "/html[1]/body[1]/div[2]/article[1]/p[3]"
    links: float  # share of the text inside links
    heading: bool


def page_blocks(tree: Any) -> list[Block]:
    """The text blocks of a parsed page (the tree is not modified), classified by jusText
    with the stop words of every language it knows, as trafilatura does for a page whose
    language it does not know."""
    global _stoplist
    if not _stoplist:
        _stoplist = frozenset(w for lang in get_stoplists() for w in get_stoplist(lang))
    try:
        paragraphs = ParagraphMaker.make_paragraphs(justext.core.preprocessor(tree))
        classify_paragraphs(paragraphs, _stoplist, 50, 150, 0.1, 0.2, 0.25, True)
    except (etree.LxmlError, ValueError, TypeError, AttributeError):
        return []
    classes = revise([p.cf_class for p in paragraphs])
    return [
        Block(
            " ".join(p.text.split()),
            good == "good",
            p.dom_path,
            p.xpath,
            p.links_density(),
            p.is_heading,
        )
        for p, good in zip(paragraphs, classes, strict=True)
        if p.text.strip()
    ]


def revise(classes: list[str]) -> list[str]:
    """jusText's `revise_paragraph_classification` (without headings, as called above) in
    linear time: jusText's own looks for the neighbours of each short block through the
    whole run of short blocks around it, quadratic on a page of thousands of them.

    A short block between good ones is good, between bad ones bad; between a good and a
    bad one it is good when a near-good block sits on the bad side before the bad one.
    Then a near-good block is bad only between bad ones."""
    n = len(classes)
    solid = ("good", "bad")
    prev_solid, prev_any = ["bad"] * n, ["bad"] * n
    next_solid, next_any = ["bad"] * n, ["bad"] * n
    last_solid = last_any = "bad"
    for i in range(n):
        prev_solid[i], prev_any[i] = last_solid, last_any
        if classes[i] in solid:
            last_solid = last_any = classes[i]
        elif classes[i] == "neargood":
            last_any = "neargood"
    last_solid = last_any = "bad"
    for i in range(n - 1, -1, -1):
        next_solid[i], next_any[i] = last_solid, last_any
        if classes[i] in solid:
            last_solid = last_any = classes[i]
        elif classes[i] == "neargood":
            last_any = "neargood"
    revised = list(classes)
    for i, cls in enumerate(classes):
        if cls != "short":
            continue
        before, after = prev_solid[i], next_solid[i]
        if before == after:
            revised[i] = before
        elif (before == "bad" and prev_any[i] == "neargood") or (
            after == "bad" and next_any[i] == "neargood"
        ):
            revised[i] = "good"
        else:
            revised[i] = "bad"
    # Near-good blocks, first to last: the one before is already good or bad by now.
    following = "bad"
    next_after: list[str] = ["bad"] * n
    for i in range(n - 1, -1, -1):
        next_after[i] = following
        if revised[i] in solid:
            following = revised[i]
    for i, cls in enumerate(list(revised)):
        if cls == "neargood":
            before = revised[i - 1] if i else "bad"
            revised[i] = "bad" if (before, next_after[i]) == ("bad", "bad") else "good"
    return revised


def second_opinion(text: str, blocks: list[Block]) -> str:
    """`text` (paragraphs one a line) with the prose trafilatura cut off restored and the
    boilerplate headings at its end dropped (see the module's docstring)."""
    if not text.strip() or not blocks:
        return text
    return _drop_trailing_headings(_restore(text, blocks), blocks)


def _key(text: str) -> str:
    return _NOT_WORD.sub(" ", text).strip().lower()


def _is_prose(text: str) -> bool:
    return len(text.split()) >= MIN_WORDS and bool(SENTENCE_END.search(text))


def _locate(lines: list[str], blocks: list[Block]) -> list[int | None]:
    """For each block, the line of `lines` that holds it (None: not in the text)."""
    exact: dict[str, int] = {}
    grams: dict[str, int] = {}
    for i, line in enumerate(lines):
        words = _key(line).split()
        exact.setdefault(" ".join(words), i)
        for start in range(max(1, len(words) - NGRAM + 1)):
            grams.setdefault(" ".join(words[start : start + NGRAM]), i)
    found: list[int | None] = []
    for block in blocks:
        key = _key(block.text)
        words = key.split()
        where = exact.get(key)
        if where is None and len(key) >= MIN_KEY_CHARS:
            head = grams.get(" ".join(words[:NGRAM]))
            tail = grams.get(" ".join(words[-NGRAM:]))
            # A block inside one line, or across two where jusText joined them.
            if head is not None and tail is not None and 0 <= tail - head <= 1:
                where = head
        found.append(where)
    return found


def _container(blocks: list[Block], kept: list[int]) -> str | None:
    """The <article> or <main> element that holds most kept blocks, if one does."""
    counts = Counter(
        match.group(1) if (match := _CONTAINER.match(blocks[i].xpath)) else None for i in kept
    )
    container, count = counts.most_common(1)[0]
    return container if count >= 0.5 * len(kept) else None


def _restore(text: str, blocks: list[Block]) -> str:
    lines = [line for line in text.split("\n") if line.strip()]
    where = _locate(lines, blocks)
    kept = [i for i, line in enumerate(where) if line is not None]
    prose = [i for i in kept if _is_prose(blocks[i].text)]
    if not prose:
        return text
    paths = {blocks[i].path for i in kept}
    container = _container(blocks, kept)
    seen = {_key(line) for line in lines}
    before: dict[int, list[str]] = {}  # line index -> blocks to put before that line
    following = len(kept) - 1
    for index in range(prose[-1] - 1, -1, -1):  # backwards, to know the next kept block
        while following > 0 and kept[following - 1] > index:
            following -= 1
        block = blocks[index]
        if where[index] is not None or not block.good or block.links > 0:
            continue
        inside = container is not None and block.xpath.startswith(container + "/")
        key = _key(block.text)
        if _is_prose(block.text) and (block.path in paths or inside) and key not in seen:
            seen.add(key)
            before.setdefault(where[kept[following]] or 0, []).insert(0, block.text)
    added = sum(len(t.split()) for texts in before.values() for t in texts)
    if not added or added < MIN_RESTORED_SHARE * sum(len(line.split()) for line in lines):
        return text
    out: list[str] = []
    for i, line in enumerate(lines):
        out += before.get(i, [])
        out.append(line)
    return "\n".join(out)


def _drop_trailing_headings(text: str, blocks: list[Block]) -> str:
    lines = [line for line in text.split("\n") if line.strip()]
    prose = [i for i, line in enumerate(lines) if _is_prose(line)]
    if not prose:
        return text
    furniture = {_key(b.text) for b in blocks if b.heading and not b.good}
    furniture -= {_key(b.text) for b in blocks if b.good or not b.heading}
    end = len(lines)
    while end > prose[-1] + 1 and _key(lines[end - 1]) in furniture:
        end -= 1
    return text if end == len(lines) else "\n".join(lines[:end])
