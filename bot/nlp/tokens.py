"""Word tokens, shared by the summarizer, the entity finder and the statistics.

A word is a run of Unicode letters or digits, with inner apostrophes and
hyphens kept ("aujourd'hui", "anti-américains"); elided articles such as
"l'" and "d'" stay attached, which the stemmer and stop words handle.

The entity finder reads tokens: the words and each punctuation mark, except
that dotted acronyms ("U.S.", "EE. UU.") are one token.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+(?:[’'\-]\w+)*", re.UNICODE)
_TOKEN = re.compile(
    r"EE\.\s?UU\.?"  # Spanish "EE. UU." (United States)
    r"|[^\W\d_]\.(?:[^\W\d_]\.)+"  # dotted acronyms: U.S., D.C., H.R.
    r"|\w+(?:[’'\-]\w+)*"  # words (`_WORD`)
    r"|[^\w\s]",
    re.UNICODE,
)


def words(text: str) -> list[str]:
    """The words of `text`, in order, as they appear (no case folding)."""
    return _WORD.findall(text)


def count_words(text: str) -> int:
    # findall builds the list in C; counting match objects one by one in
    # Python costs a fifth more.
    return len(_WORD.findall(text))


def tokens(text: str) -> list[str]:
    """The tokens of `text`: words, acronyms and punctuation marks."""
    return _TOKEN.findall(text)


# The pipeline asks for the words of the same sentences several times (the
# summarizer, the statistics, the summary's own statistics), and scanning
# text for words is the costliest regex work of the engine, so a sentence's
# words are remembered. Bounded so a stream of articles cannot grow memory
# without limit; tuples, so no caller can change what another one gets.
_MEMO_LIMIT = 4096
_SENTENCE_WORDS: dict[str, tuple[str, ...]] = {}


def sentence_words(sentence: str) -> tuple[str, ...]:
    """`words(sentence)`, remembered."""
    found = _SENTENCE_WORDS.get(sentence)
    if found is None:
        found = tuple(_WORD.findall(sentence))
        if len(_SENTENCE_WORDS) >= _MEMO_LIMIT:
            _SENTENCE_WORDS.clear()
        _SENTENCE_WORDS[sentence] = found
    return found


def forget_sentences() -> None:
    """Drop the remembered sentences (benchmarks time a repeated article as new)."""
    _SENTENCE_WORDS.clear()
