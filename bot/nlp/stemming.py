"""Stemmers and stop words per language, fast enough to run on every word.

sumy's own stemmer wraps NLTK's pure-Python Snowball (about 10 ms per news
article); PyStemmer runs the same Snowball algorithms in C. News repeats its
words, so each stemmer also remembers the words it has seen.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import Stemmer

from bot.nlp.language import snowball_name

# Cached stems per language; bounded so a stream of odd tokens (numbers, URLs)
# cannot grow memory without limit.
_CACHE_LIMIT = 200_000


def _identity(word: str) -> str:
    return word.lower()


@cache
def stemmer_for(language: str) -> Callable[[str], str]:
    """A function that lowercases and stems a word of `language` (ISO 639-1).

    Languages Snowball does not know get lowercasing only.
    """
    name = snowball_name(language)
    if name is None or name not in Stemmer.algorithms():
        return _identity
    stem_word = Stemmer.Stemmer(name).stemWord
    memo: dict[str, str] = {}

    def stem(word: str) -> str:
        try:
            return memo[word]
        except KeyError:
            pass
        result = stem_word(word.lower())
        if len(memo) >= _CACHE_LIMIT:
            memo.clear()
        memo[word] = result
        return result

    return stem


@cache
def stop_words_for(language: str) -> frozenset[str]:
    """sumy's bundled stop words for `language` (lowercase), or an empty set."""
    name = snowball_name(language) or _EXTRA_STOP_LISTS.get(language.lower()[:2])
    if name is None:
        return frozenset()
    from sumy.utils import get_stop_words

    try:
        return frozenset(w.lower() for w in get_stop_words(name))
    except LookupError:
        return frozenset()


# Languages sumy has stop words for but Snowball has no stemmer for.
_EXTRA_STOP_LISTS = {
    "zh": "chinese",
    "ja": "japanese",
    "ko": "korean",
    "he": "hebrew",
    "sk": "slovak",
    "uk": "ukrainian",
    "th": "thai",
}
