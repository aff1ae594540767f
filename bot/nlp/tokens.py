"""Word tokens, shared by the summarizer, the entity finder and the statistics.

A word is a run of Unicode letters or digits, with inner apostrophes and
hyphens kept ("aujourd'hui", "anti-américains"); elided articles such as
"l'" and "d'" stay attached, which the stemmer and stop words handle.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+(?:[’'\-]\w+)*", re.UNICODE)


def words(text: str) -> list[str]:
    """The words of `text`, in order, as they appear (no case folding)."""
    return _WORD.findall(text)


def count_words(text: str) -> int:
    # findall builds the list in C; counting match objects one by one in
    # Python costs a fifth more.
    return len(_WORD.findall(text))
