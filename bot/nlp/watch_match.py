"""Does a watched name (`/watch add entity:`) match one of an item's key entities?

The rule, matched on the entities the engine found, never on the article's text:

1. The same entity: the watched name and the entity fall in the same group as the engine
   groups mentions (`Vocabulary.key` in the item's language): a gazetteer's aliases
   ("U.S." = "United States"), case, accents and hyphens ("Saint-Malo" = "saint malo"),
   and inflection where the engine has morphology ("Лужкова" = "Лужков"; declined German
   adjectives, "Europäischen Union" = "Europäische Union").
2. A person's surname: when the entity is a person, a watched name made of the last
   word(s) of its name matches ("Macron" fires for "Emmanuel Macron"), and the other way
   round (a watch on "Emmanuel Macron" fires for an item that only names "Macron", as the
   engine merges a surname into the full name of the same article).
3. An acronym: a watched name in capitals stands for an organization or place whose
   capitalised words it abbreviates ("NATO" for "North Atlantic Treaty Organization"),
   as the engine merges an acronym into its name; and the other way round.
4. A watch given a kind (person, place, organization) matches only entities of that kind.

So "Paris" never fires for "Paris Hilton" (not the whole name, and not her surname),
and with `kind:place` it fires only for the place; "Hilton" does fire for her.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.models import Entity
from bot.nlp.entity_lexicon import CONNECTORS
from bot.nlp.entity_tokens import strip_accents
from bot.nlp.entity_vocabulary import Vocabulary

KINDS = ("person", "place", "organization")
MAX_NAME = 100  # characters in a watched name


def _words(vocab: Vocabulary, text: str) -> list[str]:
    """A name's words as the engine compares them: lemma or case-folded, no accents,
    hyphens as spaces."""
    flat = strip_accents(text.replace("-", " "))
    return [vocab.norm(w) for w in flat.split() if w.strip(".,'’")]


def _acronym(short: str, full: str) -> bool:
    """`short` ("NATO") abbreviates `full`'s capitalised words."""
    if not (2 <= len(short) <= 8 and short.isupper() and short.isalpha()):
        return False
    words = full.replace("-", " ").split()
    initials = "".join(w[0] for w in words if w[:1].isupper() and w not in CONNECTORS)
    return len(words) > 1 and initials == short


def _tail(short: list[str], full: list[str]) -> bool:
    return 0 < len(short) < len(full) and full[-len(short) :] == short


def matching_entity(
    name: str, kind: str | None, entities: Sequence[Entity], language: str
) -> Entity | None:
    """The first of `entities` the watched `name` (of `kind`, or any) matches, or None."""
    name = " ".join(name.split())
    if not name:
        return None
    vocab = Vocabulary((language or "en").lower()[:2] if language != "und" else "en")
    key = vocab.key(name)
    words = _words(vocab, name)
    for entity in entities:
        if kind and entity.type != kind:
            continue
        if vocab.key(entity.text) == key:
            return entity
        if entity.type in ("organization", "place") and (
            _acronym(name, entity.text) or _acronym(entity.text, name)
        ):
            return entity
        if entity.type == "person":
            theirs = _words(vocab, entity.text)
            if _tail(words, theirs) or _tail(theirs, words):
                return entity
    return None
