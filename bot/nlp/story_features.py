"""What an item says about its story, as sets of keys the grouping index compares.

- names: the engine's entity keys (`Vocabulary.key`: a gazetteer entry, the same in every
  language — "Allemagne" and "Germany" — or the name without case, accents and
  inflection), and a person's surname on its own, so that "Emmanuel Macron" in one report
  meets "Macron" in another. Places are kept apart (`P:`): a country is shared by many
  stories and weighs less.
- numbers: figures of the title and summary ("6.1", "2013", "42"), in every language;
- words: stems of the title and summary sentences without stop words, by language (a
  French stem never meets an English one).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.models import Entity
from bot.nlp.entity_tokens import fold, strip_accents
from bot.nlp.entity_vocabulary import Vocabulary
from bot.nlp.stemming import stemmer_for, stop_words_for
from bot.nlp.tokens import sentence_words

_YEAR = re.compile(r"(?<!\d)(?:19[5-9]\d|20[0-4]\d)(?!\d)")
_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?![\w])")


_YEARS_CHARS = 5_000  # where a report names the year of its event
_MAX_STORED = 2_000  # keys of one kind read back from the database


@dataclass(frozen=True)
class StoryFeatures:
    language: str
    names: frozenset[str]  # "E:<key>" names, "P:<key>" places
    numbers: frozenset[str]  # "#<figure>"
    words: frozenset[str]  # "w:<language>:<stem>"
    lead: frozenset[str] = frozenset()  # the keys of its most salient person
    years: frozenset[str] = frozenset()  # every year the text names: reports of one
    # event name the same year, and two of the same kind of event rarely do

    def all_keys(self) -> Iterable[str]:
        yield from self.names
        yield from self.numbers
        yield from self.words

    def to_json(self) -> dict[str, object]:
        """What the bot stores per delivered item to rebuild a channel's index."""
        return {
            "language": self.language, "names": sorted(self.names),
            "numbers": sorted(self.numbers), "words": sorted(self.words),
            "lead": sorted(self.lead), "years": sorted(self.years),
        }  # fmt: skip

    @classmethod
    def from_json(cls, value: object) -> StoryFeatures | None:
        """The keys `to_json` stored; None when they are not that shape."""
        if not isinstance(value, dict):
            return None

        def keys(name: str) -> frozenset[str]:
            found = value.get(name)
            if not isinstance(found, list):
                return frozenset()
            return frozenset(str(k) for k in found[:_MAX_STORED] if isinstance(k, str))

        language = value.get("language")
        return cls(
            language=language if isinstance(language, str) else "und",
            names=keys("names"), numbers=keys("numbers"), words=keys("words"),
            lead=keys("lead"), years=keys("years"),
        )  # fmt: skip


def _entity_keys(entity: Entity, vocab: Vocabulary) -> set[str]:
    keys = {("P:" if entity.type == "place" else "E:") + vocab.key(entity.text)}
    parts = entity.text.split()
    if entity.type == "person" and len(parts) > 1:
        keys.add("E:S:" + strip_accents(vocab.norm(parts[-1])))
    return keys


def _name_keys(entities: Sequence[Entity], vocab: Vocabulary) -> tuple[set[str], set[str]]:
    """Every name's keys, and those of the most salient person (the lead)."""
    keys: set[str] = set()
    lead: set[str] = set()
    for entity in entities:
        if entity.type == "other":
            continue
        found = _entity_keys(entity, vocab)
        if entity.type == "person" and not lead:
            lead = found
        keys |= found
    return keys, lead


def _numbers(texts: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for text in texts:
        for number in _NUMBER.findall(text):
            figure = number.replace(",", ".")
            if len(figure) > 1:  # "3" is everywhere; "42" or "6.1" is not
                found.add("#" + figure)
    return found


def _words(texts: Iterable[str], language: str) -> set[str]:
    stem = stemmer_for(language)
    stop = stop_words_for(language)
    found: set[str] = set()
    for text in texts:
        for word in sentence_words(text):
            low = word.lower()
            if len(low) > 2 and low not in stop and not low[0].isdigit():
                found.add(f"w:{language}:{strip_accents(fold(stem(low)))}")
    return found


def story_features(
    title: str | None,
    summary: Sequence[str],
    entities: Sequence[Entity],
    language: str,
    body: str = "",
) -> StoryFeatures:
    """The keys of an item from what the engine made of it (a `Summary`'s fields)."""
    language = (language or "en").lower()[:2]
    texts = [title or "", *summary]
    names, lead = _name_keys(entities, Vocabulary(language))
    return StoryFeatures(
        language=language,
        names=frozenset(names),
        lead=frozenset(lead),
        numbers=frozenset(_numbers(texts)),
        words=frozenset(_words(texts, language)),
        years=frozenset(_YEAR.findall(f"{title or ''} {body[:_YEARS_CHARS]}")),
    )
