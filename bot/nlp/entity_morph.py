"""What the entity finder asks of a Russian word: its dictionary form and
what kind of word it is.

Russian declines names ("Юрия Лужкова" is "Юрий Лужков"), capitalises the
prepositions that open a sentence ("В Белоруссии") and runs a genitive
place into the person after it ("президент Украины Петр Порошенко"). The
OpenCorpora dictionary behind pymorphy3 (`pymorphy3-dicts-ru`, CC BY-SA)
knows each word's lemma and marks place names (Geox), first names (Name),
surnames (Surn), patronymics (Patr) and organisations (Orgn). It is loaded
the first time a Russian article needs it (about 0.1 s and 30 MB); each
word is analysed once per process.
"""

from __future__ import annotations

from functools import cache
from typing import Any, NamedTuple

# The kinds of word the entity rules tell apart.
PLACE = "place"
FIRST = "first"  # a first name
SURNAME = "surname"  # a surname or a patronymic
ORG = "org"
NOUN = "noun"  # a common noun
ADJECTIVE = "adjective"
FUNCTION = "function"  # a preposition, conjunction, pronoun, verb, adverb...
UNKNOWN = "unknown"  # not in the dictionary: most often a foreign name

PERSON_KINDS = frozenset({FIRST, SURNAME})
_FUNCTION_POS = frozenset(
    {"PREP", "CONJ", "PRCL", "NPRO", "ADVB", "INTJ", "PRED", "VERB", "INFN", "GRND", "PRTS",
     "COMP", "NUMR"}
)  # fmt: skip
LANGUAGES = frozenset({"ru"})


class Morph(NamedTuple):
    lemma: str  # the dictionary form, lowercase ("лужков"); the word itself if unknown
    kind: str
    nominative: bool  # the form is a nominative (the form a name is shown in)


@cache
def _analyzer(language: str) -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang=language)


_SEEN: dict[str, Morph] = {}
_SEEN_LIMIT = 50_000


def analyse(word: str, language: str = "ru") -> Morph:
    """The lemma and kind of a (capitalised) word of `language`."""
    found = _SEEN.get(word)
    if found is None:
        if len(_SEEN) >= _SEEN_LIMIT:
            _SEEN.clear()
        found = _SEEN[word] = _analyse(word, language)
    return found


def _analyse(word: str, language: str) -> Morph:
    low = word.lower()
    if not any("а" <= c <= "я" or c == "ё" for c in low):
        return Morph(low, UNKNOWN, True)  # Latin letters, digits
    morph = _analyzer(language)
    parse = morph.parse(low)[0]
    tag = parse.tag
    if not morph.word_is_known(low):
        return Morph(low, UNKNOWN, tag.case in (None, "nomn"))
    nominative = tag.case in (None, "nomn")
    lemma = parse.normal_form
    if "Geox" in tag:
        kind = PLACE
    elif "Name" in tag:
        kind = FIRST
    elif "Surn" in tag or "Patr" in tag:
        kind = SURNAME
    elif "Orgn" in tag:
        kind = ORG
    elif tag.POS in _FUNCTION_POS:
        kind = FUNCTION
    elif tag.POS in ("ADJF", "PRTF"):
        kind = ADJECTIVE
    elif tag.POS == "NOUN" and "Abbr" not in tag:
        kind = NOUN
    else:
        kind = UNKNOWN
    return Morph(lemma, kind, nominative)
