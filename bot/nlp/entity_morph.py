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

Ukrainian declines names the same way. Its dictionary (`pymorphy3-dicts-uk`, from
the VESUM dictionary, CC BY-SA) marks first names, surnames and patronymics but
not places: a word is a place when its lemma is one in the gazetteer ("Сімферополя"
-> "сімферополь", CLDR's Ukrainian names), and of a word's readings the one that
makes it a name wins, since the finder only asks about capitalised words
("Володимира": the city's genitive, or the first name's; "Львові": the surname
Львов's locative, or Lviv's).
"""

from __future__ import annotations

from functools import cache
from typing import Any, NamedTuple

from bot.nlp.entity_gazetteer import gazetteer
from bot.nlp.entity_lexicon import FUNCTION_WORDS_UK
from bot.nlp.stemming import stop_words_for

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
LANGUAGES = frozenset({"ru", "uk"})
_CYRILLIC_LOWER = frozenset("абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ")


class Morph(NamedTuple):
    lemma: str  # the dictionary form, lowercase ("лужков"); the word itself if unknown
    kind: str
    nominative: bool  # the form is a nominative (the form a name is shown in)


@cache
def _analyzer(language: str) -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang=language)


_SEEN: dict[tuple[str, str], Morph] = {}
_SEEN_LIMIT = 50_000


def analyse(word: str, language: str = "ru") -> Morph:
    """The lemma and kind of a (capitalised) word of `language`."""
    found = _SEEN.get((language, word))
    if found is None:
        if len(_SEEN) >= _SEEN_LIMIT:
            _SEEN.clear()
        found = _SEEN[(language, word)] = _analyse(word, language)
    return found


def _analyse(word: str, language: str) -> Morph:
    low = word.lower()
    if not any(c in _CYRILLIC_LOWER for c in low):
        return Morph(low, UNKNOWN, True)  # Latin letters, digits
    morph = _analyzer(language)
    parses = morph.parse(low)
    parse = parses[0]
    if not morph.word_is_known(low):
        return Morph(low, UNKNOWN, parse.tag.case in (None, "nomn"))
    if language == "uk":
        if low in _uk_function_words():
            return Morph(low, FUNCTION, True)
        parse = _name_reading(parses)
    tag = parse.tag
    nominative = tag.case in (None, "nomn")
    lemma = parse.normal_form
    grammemes = tag.grammemes  # the Ukrainian tag set has no Geox, Orgn: never ask `in tag`
    if "Geox" in grammemes or (language == "uk" and tag.POS == "NOUN" and _is_place(lemma)):
        kind = PLACE
    elif "Name" in grammemes:
        kind = FIRST
    elif "Surn" in grammemes or "Patr" in grammemes:
        kind = SURNAME
    elif "Orgn" in grammemes:
        kind = ORG
    elif tag.POS in _FUNCTION_POS:
        kind = FUNCTION
    elif tag.POS in ("ADJF", "PRTF"):
        kind = ADJECTIVE
    elif tag.POS == "NOUN" and "Abbr" not in grammemes:
        kind = NOUN
    else:
        kind = UNKNOWN
    return Morph(lemma, kind, nominative)


_NAME_GRAMMEMES = frozenset({"Name", "Surn", "Patr"})


# The endings of Ukrainian place names (Луганськ, Донецьк, Тернопіль, Харків, Чернівці):
# the dictionary marks no places, and the gazetteer holds few beyond the capitals.
_PLACE_ENDINGS = ("ськ", "цьк", "піль", "поль", "ів", "ці", "град", "город")


def _name_reading(parses: list[Any]) -> Any:
    """The reading of a capitalised Ukrainian word: a known place's first, then a
    person's name, then the most likely."""
    for parse in parses:
        if parse.tag.POS == "NOUN" and _is_place(parse.normal_form):
            return parse
    for parse in parses:
        if _NAME_GRAMMEMES & parse.tag.grammemes:
            return parse
    return parses[0]


def _is_place(lemma: str) -> bool:
    """A place in the gazetteer, or a Ukrainian place name by its ending."""
    found = gazetteer().lookup(lemma)
    if found is not None and found[0] == "place":
        return True
    return lemma.endswith(_PLACE_ENDINGS) and len(lemma) > 4


@cache
def _uk_function_words() -> frozenset[str]:
    """Words that never begin a name; the Ukrainian dictionary reads some of them as
    nouns ("Тому": "том"'s dative; "Мені": "мен")."""
    return FUNCTION_WORDS_UK | stop_words_for("uk")
