"""The gazetteers of the entity finder: known places, organisations,
nationalities and first names, read once from the word lists in
bot/nlp/gazetteer/ (its README says what each holds and where it comes from).

Every spelling of one place or organisation shares a key ("Irak" = "Iraq",
"U.S." = "United States"), so their mentions merge into one entity.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.models import EntityType
from bot.nlp.entity_tokens import fold

_GAZETTEER = Path(__file__).resolve().parent / "gazetteer"


@dataclass(frozen=True)
class Gazetteer:
    places: dict[str, str]  # casefolded name -> key shared by its spellings
    organizations: dict[str, str]
    others: frozenset[str]  # nationalities, languages, religions, feasts
    first_names: frozenset[str]

    def lookup(self, folded: str) -> tuple[EntityType, str] | None:
        """The type and group key of a casefolded name the lists know."""
        if folded in self.organizations:
            return "organization", self.organizations[folded]
        if folded in self.places:
            return "place", self.places[folded]
        if folded in self.others:
            return "other", "X:" + folded
        return None


def _data_lines(name: str) -> Iterable[str]:
    for line in (_GAZETTEER / name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            yield line


@cache
def gazetteer() -> Gazetteer:
    places: dict[str, str] = {}
    for line in _data_lines("places.tsv"):
        name, key = line.split("\t")
        places.setdefault(fold(name), key)
    organizations: dict[str, str] = {}
    for line in _data_lines("organizations.txt"):
        names = [n.strip() for n in line.split("|")]
        for name in names:
            organizations.setdefault(fold(name), "O:" + fold(names[0]))
    others = frozenset(fold(w) for line in _data_lines("demonyms.txt") for w in line.split())
    first = frozenset(fold(w) for line in _data_lines("first_names.txt") for w in line.split())
    return Gazetteer(places, organizations, others, first)
