"""What an article's own text says about its words, the evidence that a
capitalised word is a name or not:

- a capitalised word that also appears in lowercase in the same text is a
  common word ("The", "Defender", "Forces") unless a gazetteer knows it;
- a sentence-initial word is judged on that evidence and the stop words.

One `Vocabulary` serves one article: it learns from the article's ordinary
sentences first, then answers the mention finder, the merger and the typer.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from itertools import compress

from bot.models import EntityType
from bot.nlp.entity_gazetteer import gazetteer
from bot.nlp.entity_lexicon import (
    FUNCTION_WORDS_DE,
    FUNCTION_WORDS_EL,
    FUNCTION_WORDS_ID,
    FUNCTION_WORDS_RU,
    FUNCTION_WORDS_TR,
    FUNCTION_WORDS_UK,
    MONTHS_DAYS_ANY,
    MONTHS_DAYS_BY_LANGUAGE,
    PLACE_BEFORE,
    PLACE_BEFORE_BY_LANGUAGE,
    ROLE,
    ROMANCE,
    SOLO_CONNECTORS,
    SOLO_CONNECTORS_DE,
    STARTERS,
    STRONG_PLACE_BEFORE,
    TITLES,
)
from bot.nlp.entity_morph import LANGUAGES as MORPH_LANGUAGES
from bot.nlp.entity_morph import Morph, analyse
from bot.nlp.entity_nouns import common_nouns, common_words, place_names
from bot.nlp.entity_tokens import IS_LOWERCASE, TEXT, Tok, all_caps, fold, strip_accents
from bot.nlp.stemming import stop_words_for

_INITIAL_DOT = re.compile(r"(?<![^\W\d_])([^\W\d_])\.")  # a lone letter's dot: "U.S."


@cache
def _starter_stop_words(language: str) -> frozenset[str]:
    """Stop words that may open a sentence: the article's language's and English's."""
    if language == "en":
        return stop_words_for("en")
    return stop_words_for(language) | stop_words_for("en")


# Languages whose stop-word lists (or none) miss the words that open their sentences.
_FUNCTION_WORDS = {
    "ru": FUNCTION_WORDS_RU,
    "uk": FUNCTION_WORDS_UK,
    "tr": FUNCTION_WORDS_TR,
    "id": FUNCTION_WORDS_ID,
    "el": FUNCTION_WORDS_EL,
    "de": FUNCTION_WORDS_DE,
    "ms": FUNCTION_WORDS_ID,
}


class Vocabulary:
    def __init__(self, language: str) -> None:
        self.language = language
        self.gaz = gazetteer()
        self.stop = _starter_stop_words(language)
        self.lang_stop = stop_words_for(language)
        self.nouns_capitalised = language in ("de", "lb")
        self.romance = language in ROMANCE
        self.months = MONTHS_DAYS_BY_LANGUAGE.get(language, MONTHS_DAYS_ANY)
        # Words right before a name that make it a place: every language's, and its own.
        strong, weak = PLACE_BEFORE_BY_LANGUAGE.get(language, (frozenset(), frozenset()))
        self.strong_place_before = STRONG_PLACE_BEFORE | strong
        self.place_before = PLACE_BEFORE | weak | strong
        self.solo = SOLO_CONNECTORS_DE if self.nouns_capitalised else SOLO_CONNECTORS
        self.nouns, self.noun_names = common_nouns(language)
        self.words = common_words(language)
        self.places = place_names(language)
        self.morphology = language in MORPH_LANGUAGES
        function = _FUNCTION_WORDS.get(language)
        if function is not None:
            self.lang_stop = self.lang_stop | function
            self.stop = self.stop | function
        self.lower_seen: set[str] = set()
        self.inner_capitals: Counter[str] = Counter()  # capitalised words inside sentences
        self.known: dict[str, Counter[str]] = {}  # folded word -> surface forms
        # An article asks again and again about the same names.
        self._types: dict[str, tuple[EntityType, str] | None] = {}
        self._keys: dict[str, str] = {}
        self._titles: dict[str, bool] = {}

    def learn(self, tokens: list[Tok], capitals: bool) -> None:
        """Note lowercase words, capitalised ones inside sentences, and, if `capitals`, their
        spellings."""
        self.lower_seen.update(compress(map(TEXT, tokens), map(IS_LOWERCASE, tokens)))
        words = [tok for tok in tokens if tok.word]
        for tok in words[1:]:  # the first word is capitalised anyway
            if tok.upper:
                self.inner_capitals[tok.text] += 1
                if capitals:
                    self.known.setdefault(fold(tok.text), Counter())[tok.text] += 1

    def common(self, word: str) -> bool:
        """A capitalised word used in lowercase elsewhere, or a stop word."""
        if all_caps(word) and len(word) <= 5:
            return False
        low = word.lower()
        return low in self.lower_seen or low in self.lang_stop or low in self.months

    def common_start(self, word: str) -> bool:
        """A sentence-initial word that is no name: a stop word, or a word the
        text also uses in lowercase (unless a gazetteer knows it)."""
        low = word.lower()
        if (low in self.stop or low in STARTERS) and not all_caps(word):
            return True
        return self.common(word) and self.gazetteer_type(word) is None

    def is_word(self, word: str) -> bool:
        """A capitalised word that is a frequent word of the language and no name ("Painful",
        "Footage", "Shocked"; not "Hamilton", "Brown", nor "Musk" where the text writes it
        capitalised inside sentences too): only said of a sentence's first word."""
        return (
            word.lower() in self.words
            and not all_caps(word)
            and self.inner_capitals[word] < 2  # (once may be a sentence run on: "…parent Footage")
            and self.gazetteer_type(word) is None
        )

    def is_noun(self, word: str, strict: bool = True) -> bool:
        """A common noun of a language that capitalises them ("Menschen",
        "Haft"), and no name a gazetteer knows; if `strict`, also none that is
        a surname as often ("Müller", "Freund")."""
        return (
            word in self.nouns
            and not (strict and word in self.noun_names)
            and self.gazetteer_type(word) is None
            and fold(word) not in self.gaz.first_names
        )

    def is_compound_noun(self, word: str) -> bool:
        """A common noun, or a compound that ends in one ("Heimatverein",
        "Fußball-Experte"): German writes new compounds every day, and the
        lexicon cannot hold them all. Only for the words around a name: place
        names end in nouns too ("Regens-burg")."""
        if self.is_noun(word, strict=False):
            return True
        if (
            self.gazetteer_type(word) is not None
            or all_caps(word)
            or fold(word) in self.gaz.first_names  # "Wolf-gang"
        ):
            return False
        if "-" in word:
            tail = word.rsplit("-", 1)[1]
            return tail[:1].isupper() and self.is_noun(tail, strict=False)
        for i in range(3, len(word) - 3):
            if self.is_noun(word[i].upper() + word[i + 1 :], strict=False):
                return True
        return False

    def is_title(self, word: str) -> bool:
        if word not in self._titles:
            low = word.lower().rstrip(".")
            self._titles[word] = low in TITLES or (
                self.nouns_capitalised and ROLE.search(low) is not None
            )
        return self._titles[word]

    def gazetteer_type(self, text: str) -> tuple[EntityType, str] | None:
        if text not in self._types:
            self._types[text] = self._gazetteer_type(text)
        return self._types[text]

    def morph(self, word: str) -> Morph:
        """The lemma and kind of a word of a language analysed by morphology (Russian)."""
        return analyse(word, self.language)

    def norm(self, word: str) -> str:
        """A word as names are compared: its lemma where there is morphology
        ("Лужкова" -> "лужков"), else without case."""
        return analyse(word, self.language).lemma if self.morphology else fold(word)

    def key(self, text: str) -> str:
        """The group a name belongs to: its gazetteer entry, or its spelling
        without case, accents and hyphens (and inflection, in Russian)."""
        if text not in self._keys:
            gaz = self.gazetteer_type(text)
            if gaz is not None:
                self._keys[text] = gaz[1]
            else:
                if self.morphology:
                    text_ = " ".join(self.norm(w) for w in text.split())
                else:
                    text_ = fold(text)
                # "U.S. Geological Survey" = "US Geological Survey": an initial's dot goes.
                text_ = _INITIAL_DOT.sub(r"\1", strip_accents(text_).replace("-", " "))
                self._keys[text] = "N:" + text_
        return self._keys[text]

    def _gazetteer_type(self, text: str) -> tuple[EntityType, str] | None:
        folded = fold(text)
        found = self.gaz.lookup(folded)
        if found is None and self.nouns_capitalised and " " in folded:
            # Declined German adjectives: "Europäischen Union" -> "Europäische Union".
            found = self.gaz.lookup(re.sub(r"(?<=e)(?:n|r|s|m)\b", "", folded))
        if found is None and folded in self.places:
            found = "place", self.places[folded]
        if found is None and self.morphology:
            # A declined name, by its words' lemmas: "Києва", "Києві" are "Київ".
            lemmas = " ".join(self.norm(word) for word in text.split())
            if lemmas != folded:
                found = self.gaz.lookup(lemmas)
        return found
