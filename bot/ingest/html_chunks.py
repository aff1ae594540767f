"""An article body cut into several containers of one kind, to put ads between them.

trafilatura takes the article from the first element one of its body patterns matches
(`main_extractor.extract_content` takes `next(...)` of each XPath's matches). Sites that
cut the body into chunks of the same kind — WIRED's two `div.body__container` inside
`div.article__chunks`, with an "Advertisement" row between — lost everything after the
first ad: 35 % and 45 % of the article on two WIRED pages of the news set.

So: find the element holding the text's last paragraph of prose, and its nearest
ancestors (up to MAX_LEVELS up) that have a class. When elements of the same tag and the
same class follow such an ancestor, each separated from the one before by almost no
text (an ad label, an image slot: at most GAP_WORDS words — a next article on the page
comes after its own headline, byline and teaser), they are chunks of the same body: their
paragraphs of prose not already in the text are added after that paragraph, in order.
Everything is linear in the size of the page.
"""

from __future__ import annotations

import re
from typing import Any

from bot.ingest.html_merge import SENTENCE_END

# How far up from the paragraph a chunk's container is looked for.
MAX_LEVELS = 4
# At most this many words of text between two chunks of one body.
GAP_WORDS = 12
# A paragraph of a later chunk is taken with at least this many words and a sentence's end.
MIN_WORDS = 8
# A paragraph of the text is found in the page by this many characters of its start.
KEY_CHARS = 80
# Elements that are never article prose inside a chunk.
_SKIP = frozenset({"script", "style", "noscript", "figure", "figcaption", "aside", "template"})

# A chunk's class names it as a part of the body ("article__body", "story-body", ...).
_BODY_NAMES = frozenset({"body", "article", "story", "entry", "chunk", "chunks"})
_NAME_PART = re.compile(r"[\s_-]+")
# ... and the words of the first chunk are about those of the text (trafilatura took the
# text from it): between these shares of them.
MIN_SHARE = 0.5
MAX_SHARE = 1.5

_WS = re.compile(r"\s+")
_WORD = re.compile(r"\w+")


def _key(text: str) -> str:
    return _WS.sub(" ", text).strip().lower()[:KEY_CHARS]


def _full_key(text: str) -> str:
    return _WS.sub(" ", text).strip().lower()


def continued_chunks(text: str, tree: Any) -> str:
    """`text` with the prose of the chunks that continue its body in the page."""
    lines = text.split("\n")
    wanted: dict[str, int] = {}
    for index, line in enumerate(lines):
        if len(_WORD.findall(line)) >= MIN_WORDS and SENTENCE_END.search(line):
            wanted[_key(line)] = index
    if not wanted or tree is None:
        return text
    order: dict[Any, int] = {}
    words: list[int] = []  # words of each element's own text and tail, in document order
    anchor = None
    anchor_line = -1
    for element in tree.iter():
        order[element] = len(words)
        tag = element.tag if isinstance(element.tag, str) else ""
        own = element.text if tag not in _SKIP and tag else None
        words.append(len(_WORD.findall(own or "")) + len(_WORD.findall(element.tail or "")))
        if tag == "p":
            found = wanted.get(_key(element.text_content()))
            if found is not None and found > anchor_line:
                anchor, anchor_line = element, found
    if anchor is None:
        return text
    prefix = [0]
    for count in words:
        prefix.append(prefix[-1] + count)
    have = {_full_key(line) for line in lines if line.strip()}
    text_words = len(_WORD.findall(text))
    for level, container in enumerate(anchor.iterancestors()):
        if level >= MAX_LEVELS:
            break
        if not _is_body_chunk(container, text_words):
            continue
        added = _following_chunks(container, order, prefix, have)
        if added:
            return "\n".join(lines[: anchor_line + 1] + added + lines[anchor_line + 1 :])
    return text


def _is_body_chunk(container: Any, text_words: int) -> bool:
    """A container named as (a part of) an article's body, holding about the text we have:
    the element trafilatura took the article from, not a page's layout wrapper."""
    cls = container.get("class") or ""
    names = set(_NAME_PART.split(cls.lower()))
    if not names & _BODY_NAMES:
        return False
    words = len(_WORD.findall(container.text_content()))
    return MIN_SHARE * text_words <= words <= MAX_SHARE * text_words


def _following_chunks(
    container: Any, order: dict[Any, int], prefix: list[int], have: set[str]
) -> list[str]:
    cls = container.get("class")
    if not cls or not isinstance(container.tag, str):
        return []
    added: list[str] = []
    last = _last_index(container, order)
    for other in _same_kind_after(container, cls):
        start = order.get(other, -1)
        if start <= last:
            continue
        if prefix[start] - prefix[last + 1] > GAP_WORDS:
            break
        added.extend(_prose(other, have))
        last = _last_index(other, order)
    return added


def _same_kind_after(container: Any, cls: str) -> Any:
    # Elements after the container in document order (not inside it), same tag and class.
    for element in container.itersiblings():
        yield from _matching(element, container.tag, cls)
    for ancestor in container.iterancestors():
        for element in ancestor.itersiblings():
            yield from _matching(element, container.tag, cls)


def _matching(root: Any, tag: str, cls: str) -> Any:
    for element in root.iter(tag):
        if element.get("class") == cls:
            yield element


def _last_index(element: Any, order: dict[Any, int]) -> int:
    last = order.get(element, 0)
    for last_element in element.iterdescendants():
        last = max(last, order.get(last_element, last))
    return last


def _prose(chunk: Any, have: set[str]) -> list[str]:
    found: list[str] = []
    for paragraph in chunk.iter("p"):
        if any(isinstance(a.tag, str) and a.tag in _SKIP for a in paragraph.iterancestors()):
            continue
        line = _WS.sub(" ", paragraph.text_content()).strip()
        key = _full_key(line)
        if key in have or len(_WORD.findall(line)) < MIN_WORDS or not SENTENCE_END.search(line):
            continue
        have.add(key)
        found.append(line)
    return found
