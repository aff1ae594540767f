"""The watch rule (bot/nlp/watch_match.py): matched on the item's entities as the engine
groups them — aliases, case, accents, hyphens, inflection, a person's surname, acronyms —
never as a substring, and only of the watch's kind when it has one."""

from __future__ import annotations

import pytest

from bot.models import Entity
from bot.nlp.entities import extract_entities
from bot.nlp.watch_match import matching_entity


def E(text: str, kind: str) -> Entity:  # noqa: N802
    return Entity(text=text, type=kind, count=1)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "kind", "language", "entities", "expected"),
    [
        ("Macron", None, "en", [E("Emmanuel Macron", "person")], "Emmanuel Macron"),
        ("macron", None, "fr", [E("Emmanuel Macron", "person")], "Emmanuel Macron"),
        ("Emmanuel Macron", None, "en", [E("Macron", "person")], "Macron"),
        ("Emmanuel", None, "en", [E("Emmanuel Macron", "person")], None),  # no first name
        ("Paris", None, "en", [E("Paris Hilton", "person")], None),  # not a substring
        ("Hilton", None, "en", [E("Paris Hilton", "person")], "Paris Hilton"),  # her surname
        ("Paris", "place", "en", [E("Paris Hilton", "person"), E("Paris", "place")], "Paris"),
        ("Paris", "person", "en", [E("Paris", "place")], None),  # the kind must agree
        ("saint malo", None, "en", [E("Saint-Malo", "place")], "Saint-Malo"),
        ("Jean-Luc Mélenchon", None, "fr", [E("Jean Luc Melenchon", "person")],
         "Jean Luc Melenchon"),  # fmt: skip
        ("zurich", None, "de", [E("Zürich", "place")], "Zürich"),
        ("U.S.", None, "en", [E("United States", "place")], "United States"),  # gazetteer
        ("NATO", None, "en", [E("North Atlantic Treaty Organization", "organization")],
         "North Atlantic Treaty Organization"),  # fmt: skip
        ("Europäischen Union", None, "de", [E("Europäische Union", "organization")],
         "Europäische Union"),  # fmt: skip
        ("Путина", None, "ru", [E("Владимир Путин", "person")], "Владимир Путин"),
        ("Москвы", None, "ru", [E("Москва", "place")], "Москва"),
        ("Macron", None, "en", [E("Macronomics Ltd", "organization")], None),
        ("  ", None, "en", [E("Emmanuel Macron", "person")], None),
    ],
)
def test_watch_rule(
    name: str, kind: str | None, language: str, entities: list[Entity], expected: str | None
) -> None:
    found = matching_entity(name, kind, entities, language)
    assert (found.text if found else None) == expected


def test_a_watch_matches_what_the_engine_found_in_a_real_article() -> None:
    sentences = [
        "President Emmanuel Macron met the mayor of Saint-Malo on Tuesday.",
        "Macron said the harbour would be restored before the summer.",
        "Paris Hilton was not there, the mayor's office said.",
    ]
    entities = extract_entities(sentences, language="en")
    assert matching_entity("macron", "person", entities, "en") is not None
    assert matching_entity("Paris", "place", entities, "en") is None
    assert matching_entity("harbour", None, entities, "en") is None  # a word, not an entity
