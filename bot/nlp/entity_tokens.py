"""The tokens the entity finder works on.

A token is a word or a symbol of `bot.nlp.tokens.sentence_tokens`, with an
elided article split off ("l'Irak", "d’Irak" -> "Irak"), a possessive ("Kane's")
noted, and what the passes over every token ask of a word decided once.
"""

from __future__ import annotations

import re
import unicodedata
from operator import itemgetter
from typing import NamedTuple

from bot.nlp.tokens import sentence_tokens

# Elided articles and prepositions glued to the next word: l'Irak, d’Irak.
_ELISION = re.compile(
    r"^(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|quoiqu|dell|dall|nell|sull|all|degl|un)['’](?=\w)",
    re.IGNORECASE,
)
_ELISION_UPPER_LANGS = frozenset({"fr", "it", "ca", "pt", "oc"})
# Turkish and Azerbaijani write a name's case suffix after an apostrophe: "İstanbul'da",
# "Erdoğan’ın". The suffix is no part of the name, and the name ends there.
_SUFFIX_LANGS = frozenset({"tr", "az"})
_SUFFIX = re.compile(r"['’][^\W\d_]+$")
# Arabic and Hebrew name particles written in lowercase before a capital.
_PARTICLE = re.compile(r"^(?:al|el|ad|ar|as|ash|at|az|an|ibn|bin|ben|abu|abd)-(?=[^\W\d_])")


class Tok(NamedTuple):
    text: str  # the name word (elision and possessive removed)
    raw: str
    word: bool
    before: str  # an elided article ("l", "d") attached before the word
    possessive: bool
    # What the passes over every token ask of a word, decided once per
    # distinct token rather than at each of its occurrences:
    cap: bool  # may be part of a name (`_is_cap`)
    lowercase: bool  # starts in lowercase and is no name particle: a common word
    alpha: bool  # starts with a letter
    upper: bool  # starts with a capital
    all_caps: bool  # `all_caps`


def _word(text: str, raw: str, before: str = "", possessive: bool = False) -> Tok:
    first = text[0]
    alpha = first.isalpha()
    cap = _is_cap(text)
    lowercase = first.islower() and not ("-" in text and _PARTICLE.match(text))
    in_capitals = alpha and all_caps(text)
    return Tok(
        text, raw, True, before, possessive, cap, lowercase, alpha, first.isupper(), in_capitals
    )


def _symbol(raw: str) -> Tok:
    return Tok(raw, raw, False, "", False, False, False, False, False, False)


# A token depends on its text alone (and, for an elided "l'Irak", on whether
# the language elides before capitals), so all articles share them: most
# words of a news article have been seen in earlier ones. Bounded so a
# stream of odd tokens cannot grow memory without limit.
_SEEN: dict[tuple[bool, bool], dict[str, Tok]] = {}
_SEEN_LIMIT = 20_000


def tokenize(sentence: str, language: str) -> list[Tok]:
    """The tokens of a sentence."""
    raws = sentence_tokens(sentence)
    upper_elision = language in _ELISION_UPPER_LANGS
    suffixes = language in _SUFFIX_LANGS
    seen = _SEEN.setdefault((upper_elision, suffixes), {})
    found = list(map(seen.get, raws))  # one C loop; only new tokens cost more
    if None in found:
        if len(seen) >= _SEEN_LIMIT:
            seen.clear()
        for i, tok in enumerate(found):
            if tok is None:
                found[i] = seen[raws[i]] = _new_token(raws[i], upper_elision, suffixes)
    return found  # type: ignore[return-value]  # no None is left


def _new_token(raw: str, upper_elision: bool, suffixes: bool = False) -> Tok:
    if not (raw[0].isalnum() or raw[0] == "_"):
        return _symbol(raw)
    if "'" not in raw and "’" not in raw:
        return _word(raw, raw)
    return _elided(raw, upper_elision, suffixes)


def _elided(raw: str, upper_elision: bool, suffixes: bool = False) -> Tok:
    """A word with an apostrophe: "l'Irak" (an elided article), "Kane's", or in
    Turkish a name and its case suffix ("İstanbul'da")."""
    suffix = _SUFFIX.search(raw) if suffixes and raw[0].isupper() else None
    if suffix is not None and suffix.group()[1:].islower():
        return _word(raw[: suffix.start()], raw, "", True)
    text, before, possessive = raw, "", False
    elided = _ELISION.match(raw)
    if elided and (raw[0].islower() or upper_elision):
        before = elided.group()[:-1].lower()
        text = raw[elided.end() :]
    if len(text) > 2 and text[-2:] in ("'s", "’s"):
        text, possessive = text[:-2], True
    return _word(text, raw, before, possessive)


def _is_cap(word: str) -> bool:
    return word[:1].isupper() or ("-" in word and bool(_PARTICLE.match(word)))


def all_caps(word: str) -> bool:
    """Two letters or more, all capitals ("NATO", "U.S.", "AL-AIN")."""
    return word.isupper() and (word.isalpha() or sum(c.isalpha() for c in word) >= 2)


TEXT = itemgetter(0)
IS_CAP = itemgetter(5)
IS_LOWERCASE = itemgetter(6)
_IS_ALPHA = itemgetter(7)
_IS_UPPER = itemgetter(8)
_IS_ALL_CAPS = itemgetter(9)


def caseless_line(tokens: list[Tok]) -> bool:
    """ALL-CAPS or Title-Case lines say nothing about which words are names."""
    # Counted by C loops: this runs on every sentence. `upper` and
    # `all_caps` are only ever set on words that start with a letter.
    titled = sum(map(_IS_UPPER, tokens))
    if titled < 2:
        return False  # all-caps words are titled too
    words = sum(map(_IS_ALPHA, tokens))
    if words < 3:
        return False
    caps = sum(map(_IS_ALL_CAPS, tokens))
    if caps >= 0.6 * words and caps >= 2:
        return True
    if words < 5:
        return False
    return titled >= 0.85 * words


def fold(text: str) -> str:
    folded = text.casefold()
    # The Turkish dotted capital folds to "i" and a combining dot: "İstanbul" is "istanbul".
    return folded.replace("i\u0307", "i") if "İ" in text else folded


def strip_accents(text: str) -> str:
    if text.isascii():  # most names: nothing to strip, and no need to look
        return text
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
