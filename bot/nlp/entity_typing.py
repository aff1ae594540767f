"""The type of an entity (person, place, organization or other), and the name
to show for it.

The type is a vote: its mentions' votes from their context (titles, place
prepositions, speech verbs: `bot.nlp.entity_mentions`), then the gazetteers,
which outweigh context, and the words of its names: a first name, words of
organisations ("Party", "Ministère", "FC"), events ("Cup", "Prix") and
places ("River", "Golfe"), an acronym.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from bot.models import EntityType
from bot.nlp.entity_lexicon import (
    CONNECTORS,
    ORG_WORDS,
    OTHER_WORDS,
    PLACE_WORDS,
    ROMANCE_ADJECTIVE_END,
)
from bot.nlp.entity_mentions import Group
from bot.nlp.entity_morph import ADJECTIVE, FIRST, NOUN, ORG, PLACE, SURNAME
from bot.nlp.entity_tokens import all_caps, fold
from bot.nlp.entity_vocabulary import Vocabulary


def type_of(group: Group, vocab: Vocabulary) -> tuple[EntityType, float]:
    """The type the votes choose, and how much evidence there is for a type
    (it adds to the entity's salience)."""
    votes: defaultdict[str, float] = defaultdict(float)
    for m in group.mentions:
        for kind_, weight in m.votes.items():
            votes[kind_] += weight
    names = Counter(group.names())
    gaz = vocab.gaz
    evidence = 0.0
    for words, mentions in names.items():
        text = " ".join(words)
        known = vocab.gazetteer_type(text)
        if known is not None:
            # The gazetteer outweighs context ("NASA said" is no person),
            # except that a city is also its football club ("Liverpool 2").
            weight = 0.5 if known[1][:2] in ("T:", "H:") else 3.0
            votes[known[0]] += 2.0 + weight * mentions
            evidence += 3
            continue
        kind_, weight = morph_type(vocab, words) if vocab.morphology else ("", 0.0)
        if kind_:  # the dictionary knows the words (Russian)
            votes[kind_] += weight + 1.0 * mentions
            evidence += 2
            continue
        folded = [fold(w) for w in words]
        if len(words) > 1 and folded[0] in gaz.first_names:
            votes["person"] += 2.5
            evidence += 2
        if len(words) > 1 and any(w in OTHER_WORDS for w in folded):
            votes["other"] += 3.0
            evidence += 2
        elif any(w in ORG_WORDS for w in folded):
            votes["organization"] += 3.0
            evidence += 2
        elif any(w in PLACE_WORDS for w in folded):
            votes["place"] += 2.0
            evidence += 1
        if len(words) == 1 and all_caps(words[0]) and len(words[0]) <= 5:
            votes["organization"] += 1.5
            evidence += 1
        if len(words) > 1 and not any(w in CONNECTORS or w[:1].islower() for w in words):
            if _field(vocab, folded) or _common_words(vocab, folded):
                votes["organization"] += 1.0
            else:
                votes["person"] += 0.6
        # A known place inside a longer name that is not a person's:
        # "Bayer Leverkusen", "China Steel", "Budapest Bank", "San Diego Chargers".
        if len(words) > 1 and folded[0] not in gaz.first_names and _holds_place(vocab, words):
            votes["organization"] += 1.0
    evidence += sum(votes.values()) * 0.2
    for kind_, weight in _english_hints(vocab, names).items():  # no salience: types only
        votes[kind_] += weight
    if not votes:
        # A lone unknown name is most often a surname mentioned again.
        return "person", 0.0
    kind, _ = max(votes.items(), key=lambda kv: (kv[1], kv[0] == "person"))
    return kind, evidence  # type: ignore[return-value]


_COMPASS = frozenset(
    ["north", "south", "east", "west", "northern", "southern", "eastern", "western"]
)


def _english_hints(vocab: Vocabulary, names: Counter[tuple[str, ...]]) -> dict[str, float]:
    """The votes of `_english_hint` over an entity's names the gazetteer does not know."""
    hints: defaultdict[str, float] = defaultdict(float)
    for words in names:
        if vocab.gazetteer_type(" ".join(words)) is None:
            hint = _english_hint(vocab, words, [fold(w) for w in words])
            if hint is not None:
                hints[hint[0]] += hint[1]
    return hints


def _english_hint(
    vocab: Vocabulary, words: tuple[str, ...], folded: list[str]
) -> tuple[str, float] | None:
    """What an English name's first word says of it, with the vote's weight: "South Korean"
    is a place's adjective, "West Papua" a place, "The BBC" no person."""
    if len(words) < 2 or vocab.language != "en" or folded[0] in vocab.gaz.first_names:
        return None
    if _place_adjective(vocab, words):
        return "other", 3.0
    if folded[0] in _COMPASS:
        return "place", 1.0
    if folded[0] == "the":
        return "organization", 1.0
    return None


def _place_adjective(vocab: Vocabulary, words: tuple[str, ...]) -> bool:
    """An adjective or demonym of a known place of two words or more: "South Korean"
    (South Korea), "South African" (South Africa), "New Zealander" (New Zealand), or of
    a compass part of one: "West German" (Germany), "West African" (Africa)."""
    last = words[-1]
    heads = [words[:-1]] + ([()] if fold(words[0]) in _COMPASS and len(words) == 2 else [])
    for head in heads:
        for base in (last[:-1], last[:-2] + "a", last[:-2], last + "y"):
            if len(base) > 2 and base != last:
                known = vocab.gazetteer_type(" ".join((*head, base)))
                if known is not None and known[0] == "place":
                    return True
    return False


def _holds_place(vocab: Vocabulary, words: tuple[str, ...]) -> bool:
    """Whether a run of a name's words, shorter than the name, is a known place."""
    n = len(words)
    for i in range(n):
        for j in range(i + 1, n + 1 if i else n):
            known = vocab.gazetteer_type(" ".join(words[i:j]))
            if known is not None and known[0] == "place":
                return True
    return False


def _common_words(vocab: Vocabulary, folded: list[str]) -> bool:
    """A name made of frequent words of the language at both ends, no first name: a
    company, a channel, a team ("Blue Origin", "Golf Channel", "Golden State"), no person.
    (The lists hold some famous surnames too: "Manny Pacquiao" is the cost.)"""
    words, first_names = vocab.words, vocab.gaz.first_names
    return all(w in words and w not in first_names for w in (folded[0], folded[-1]))


def _field(vocab: Vocabulary, folded: list[str]) -> bool:
    """A Romance name ending in an adjective, with no first name: the field of
    a ministry or a body ("Transición Ecológica"), no person."""
    first_names = vocab.gaz.first_names
    return (
        vocab.romance
        and folded[0] not in first_names
        and folded[-1] not in first_names
        and ROMANCE_ADJECTIVE_END.search(folded[-1]) is not None
    )


def morph_type(vocab: Vocabulary, words: tuple[str, ...]) -> tuple[str, float]:
    """The type the dictionary gives a name's words, and its weight; "" if none."""
    kinds = [vocab.morph(w).kind for w in words]
    if FIRST in kinds or SURNAME in kinds:
        return "person", 2.5
    if ORG in kinds:
        return "organization", 2.5
    if PLACE in kinds:
        return "place", 2.5
    if len(kinds) == 1 and kinds[0] in (NOUN, ADJECTIVE):
        return "organization", 1.5  # "Комитет", "Верховный" (суд)
    return "", 0.0


def display(group: Group, kind: EntityType, vocab: Vocabulary) -> str:
    names = Counter(m.words for m in group.mentions if not m.caseless) or Counter(
        m.words for m in group.mentions
    )
    if vocab.morphology:
        # The nominative: "Юрий Лужков", not "Юрия Лужкова", when the text has it.
        nominative = Counter(
            {n: c for n, c in names.items() if all(vocab.morph(w).nominative for w in n)}
        )
        names = nominative or names
    if kind == "person":
        best = max(names.items(), key=lambda kv: (len(kv[0]), kv[1]))[0]
    else:
        best = max(names.items(), key=lambda kv: (kv[1], len(kv[0])))[0]
    return " ".join(best)
