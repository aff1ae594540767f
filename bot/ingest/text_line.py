"""A line of pasted text, and the measures every rule of the cleaner takes of it.

The lowest floor of `bot.ingest.text`: the modules that judge lines (captions,
metadata, glued furniture, the title, Markdown) all import from here, and
this module imports none of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A title (or a navigation line) has at most this many words.
_TITLE_MAX_WORDS = 25
_TITLE_MAX_CHARS = 250
# No rule looks at lines of more words than this.
CLASSIFY_MAX_WORDS = 80

_SENTENCE_END = re.compile(r"[.!?…:;,。！？][\"'”’»«“)\]」』]*$")
# A word as `bot.nlp.tokens` counts them.
_WORD_TOKEN = re.compile(r"\w+(?:[’'\-]\w+)*")
QUOTED = re.compile(r"^[\"“„«»‘'‹›]")


def word_set(names: str) -> frozenset[str]:
    return frozenset(names.split())


@dataclass
class Line:
    text: str
    block: int
    kind: str | None = None  # None: content; otherwise why it was dropped
    glued: bool = False  # prose cut from the sentence glued after it: never a title
    teaser: bool = False  # cut from a related story's headline glued to its teaser


def count_words_upto(text: str, limit: int) -> int:
    """`count_words(text)`, but stops past `limit`: the rules only ask whether a
    line is short, and a scraped article may be one 5,000-word line."""
    window = limit * 8  # prose averages under 7 characters a word: the window holds more
    if len(text) <= window:
        return len(_WORD_TOKEN.findall(text))
    count = len(_WORD_TOKEN.findall(text, 0, window))
    if count > limit:
        return count
    return len(_WORD_TOKEN.findall(text))


def ends_sentence(line: str) -> bool:
    return bool(_SENTENCE_END.search(line))


def is_heading_like(line: str) -> bool:
    """A short line without sentence punctuation at the end."""
    if len(line) > _TITLE_MAX_CHARS or count_words_upto(line, _TITLE_MAX_WORDS) > _TITLE_MAX_WORDS:
        return False
    return not ends_sentence(line) or line.rstrip("\"'”’»«“)]").endswith(("?", "!"))
