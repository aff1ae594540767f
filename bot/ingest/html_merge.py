"""Combine trafilatura's precision pass with its recall pass, paragraph by paragraph.

The precision pass is right about most pages but now and then drops a paragraph of the
article: the lead paragraph above the first one it kept, or one in the middle (measured
on trafilatura's own evaluation set, `benchmarks/trafilatura_eval.py`). The recall pass
has those paragraphs, next to menus, teasers, captions and "read more" boxes. So the
precision text is kept whole and the recall text adds, in document order, the paragraphs
that look like article prose: long (MIN_WORDS words or more), ending as a sentence ends,
not in capitals, not already there. A paragraph is taken only from a run of extra
paragraphs that is mostly prose (a gallery's caption between "Image 1 of 8" and "Close"
is not), and never from after the last paragraph the precision pass kept (what follows an
article is related links, newsletter pitches and comments far more often than more of
it). Everything is linear in the size of the two texts.
"""

from __future__ import annotations

import re

# A paragraph the precision pass dropped comes back with at least this many words. Shorter
# ones are, far more often than not, teaser headlines, labels and captions.
MIN_WORDS = 20
# A run of extra paragraphs is used only when at least this share of them is prose.
MIN_PROSE_SHARE = 0.5
# The precision text must be found in the recall text: when more than this share of its
# words is missing there, the two passes saw different pages and the precision text stays.
MAX_MISSING_SHARE = 0.1

_WORD = re.compile(r"\w+")
_NOT_WORD = re.compile(r"\W+")
# A sentence's end, possibly inside closing quotes or brackets.
SENTENCE_END = re.compile(r"(?:[.!?…:;。！？]|[.!?…][\"'»”’)\]]+)\s*$")


def merge_passes(precise: str, broad: str) -> str:
    """The precision text plus the prose paragraphs only the recall text has, in order."""
    kept = _paragraphs(precise)
    extra = _paragraphs(broad)
    if not kept or not extra:
        return precise
    matched, missing = _align(kept, extra)
    missing_words = sum(len(p.split()) for p in missing)
    if not any(matched) or missing_words > MAX_MISSING_SHARE * len(precise.split()):
        return precise
    last = len(matched) - 1 - matched[::-1].index(True)
    take = list(matched)
    seen = {_key(p) for p in kept}
    start = 0
    while start <= last:
        if matched[start]:
            start += 1
            continue
        end = start
        while not matched[end]:
            end += 1
        _take_prose(extra, range(start, end), take, seen)
        start = end
    merged = [p for p, keep in zip(extra, take, strict=True) if keep]
    return "\n".join(merged + missing)


def _paragraphs(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip()]


def _key(paragraph: str) -> str:
    return _NOT_WORD.sub(" ", paragraph).strip().lower()


def _align(kept: list[str], extra: list[str]) -> tuple[list[bool], list[str]]:
    """Which paragraphs of `extra` are `kept`'s, matched in order (greedy, linear time),
    and the kept paragraphs `extra` does not have."""
    where: dict[str, list[int]] = {}
    for index, paragraph in enumerate(extra):
        where.setdefault(_key(paragraph), []).append(index)
    cursor: dict[str, int] = {}
    matched = [False] * len(extra)
    missing: list[str] = []
    last = -1
    for paragraph in kept:
        key = _key(paragraph)
        places = where.get(key, [])
        i = cursor.get(key, 0)
        while i < len(places) and places[i] <= last:
            i += 1
        cursor[key] = i + 1
        if i < len(places):
            last = places[i]
            matched[last] = True
        else:
            missing.append(paragraph)
    return matched, missing


def _take_prose(extra: list[str], run: range, take: list[bool], seen: set[str]) -> None:
    prose = [i for i in run if _is_prose(extra[i]) and _key(extra[i]) not in seen]
    if len(prose) < MIN_PROSE_SHARE * len(run):
        return
    for i in prose:
        take[i] = True
        seen.add(_key(extra[i]))


def _is_prose(paragraph: str) -> bool:
    if len(_WORD.findall(paragraph)) < MIN_WORDS or not SENTENCE_END.search(paragraph):
        return False
    letters = [c for c in paragraph if c.isalpha()]
    return sum(c.isupper() for c in letters) <= 0.6 * len(letters)
