"""Stemmers and stop words per language, fast enough to run on every word.

sumy's own stemmer wraps NLTK's pure-Python Snowball (about 10 ms per news
article); PyStemmer runs the same Snowball algorithms in C. News repeats its
words, so each stemmer also remembers the words it has seen.
"""

from __future__ import annotations

import pkgutil
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
    stemmer = Stemmer.Stemmer(name)
    # PyStemmer's own cache triples the cost of a word it has not seen; ours
    # (below) answers the words it has.
    stemmer.maxCacheSize = 0
    return _StemCache(stemmer.stemWord).__getitem__


class _StemCache(dict[str, str]):
    """word -> stem, filled on first sight. Its bound `__getitem__` is the stem
    function: a word seen before (most of them) costs one dict lookup, with no
    Python call in between."""

    def __init__(self, stem_word: Callable[[str], str]) -> None:
        super().__init__()
        self._stem_word = stem_word

    def __missing__(self, word: str) -> str:
        result = self._stem_word(word.lower())
        if len(self) >= _CACHE_LIMIT:
            self.clear()
        self[word] = result
        return result


@cache
def stop_words_for(language: str) -> frozenset[str]:
    """sumy's bundled stop words for `language` (lowercase), or an empty set."""
    name = snowball_name(language) or _EXTRA_STOP_LISTS.get(language.lower()[:2])
    if name is None:
        return frozenset()
    from sumy.utils import parse_stop_words

    # The file `sumy.utils.get_stop_words(name)` reads, read directly: that
    # function first looks the name up in pycountry's ISO 639 tables, which
    # costs 8 MB and 20 ms to load and finds nothing for a full name.
    try:
        data = pkgutil.get_data("sumy", f"data/stopwords/{name}.txt")
    except OSError:
        return frozenset()
    if data is None:
        return frozenset()
    return frozenset(w.lower() for w in parse_stop_words(data))


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
