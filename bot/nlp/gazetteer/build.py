"""Regenerate `places.tsv` from the Unicode CLDR data that Babel ships.

Run by hand (`.venv/bin/python -m bot.nlp.gazetteer.build`) when Babel's CLDR
data changes; the entity finder only reads the generated file, so nothing
here runs at import time and Babel is not a runtime dependency.

Rows are `name<TAB>key`: every spelling of one place shares its key, so
"Irak", "Iraq" and "Irakistan" would all merge. Keys: `C:<ISO 3166 code>` for
countries and CLDR regions, `T:<tz id>` for time-zone exemplar cities.
Hand-written rows come from `places_extra.tsv` (major cities that are not
time-zone exemplars, states and regions, and common aliases such as "U.S.").
"""

from __future__ import annotations

import re
import zoneinfo
from pathlib import Path

from babel import Locale
from babel.localedata import load

HERE = Path(__file__).resolve().parent
LOCALES = ("en", "fr", "de", "es", "it", "pt", "nl")
# Locales whose names are added without merging places: a name that two places share
# in them ("Алжир", the country and its capital) is left out, and no key changes.
ADDED_LOCALES = ("uk", "tr")
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


def build() -> list[tuple[str, str]]:
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
    return sorted(dict.fromkeys(unified), key=lambda row: (row[1], row[0]))


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


def main() -> None:
    rows = build()
    text = "".join(f"{name}\t{key}\n" for name, key in rows)
    (HERE / "places.tsv").write_text(text, encoding="utf-8")
    print(f"{len(rows)} rows, {len(text.encode())} bytes")


if __name__ == "__main__":
    main()
