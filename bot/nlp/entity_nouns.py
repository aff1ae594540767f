"""The common nouns of a language that capitalises them (German): there a
capitalised word says nothing by itself, and a word the lexicon knows as a
common noun ("Menschen", "Sandsäcken", "Haft") is no name. The same
dictionary's place names ("Regensburg", "Passau") are names by themselves.

The lexicon is `gazetteer/de_nouns.txt.gz` (every inflected form of the
nouns of the German Wiktionary, names left out: see
`gazetteer/build_nouns.py`). It is read the first time an article in that
language needs it (50 ms; a set of 250,000 forms, about 20 MB, in the
processes that summarize German only).
"""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

_HERE = Path(__file__).resolve().parent / "gazetteer"
_FILES = {"de": _HERE / "de_nouns.txt.gz"}
_PLACES = {"de": _HERE / "de_places.tsv"}
# Words of a language that are no names, for a capitalised word opening a sentence
# (`gazetteer/build_words.py`: frequent words minus first names, surnames and places).
_WORDS = {lang: _HERE / f"{lang}_words.txt.gz" for lang in ("en", "es", "nl")}


_NONE: frozenset[str] = frozenset()


@cache
def common_nouns(language: str) -> tuple[frozenset[str], frozenset[str]]:
    """The common nouns of `language` as written (capitalised), and those of
    them that are also names of people or bodies ("Müller", "Freund"); empty
    when there is no lexicon for it."""
    path = _FILES.get(language)
    if path is None:
        return _NONE, _NONE
    words = gzip.decompress(path.read_bytes()).decode("utf-8").split()
    names = frozenset(w[1:] for w in words if w[0] == "~")
    return frozenset(w.lstrip("~") for w in words), names


@cache
def place_names(language: str) -> dict[str, str]:
    """Casefolded place names of `language` and their inflected forms -> the
    group key of the place ("regensburgs" -> "P:regensburg")."""
    path = _PLACES.get(language)
    if path is None:
        return {}
    names: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            forms = line.casefold().split("\t")
            for form in forms:
                names.setdefault(form, "P:" + forms[0])
    return names


@cache
def common_words(language: str) -> frozenset[str]:
    """Frequent lowercase words of `language` that are no names ("painful", "footage");
    empty when there is no list for it."""
    path = _WORDS.get(language)
    if path is None:
        return _NONE
    return frozenset(gzip.decompress(path.read_bytes()).decode("utf-8").split())
