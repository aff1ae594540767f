"""Regenerate `de_nouns.txt.gz`, the German common nouns, and
`de_places.tsv`, the German Wiktionary's place names, from the
`german-nouns` package's `nouns.csv` (Wiktionary DE, CC BY-SA 4.0).

Run by hand with the path of that file (from `pip download german-nouns`):

    .venv/bin/python -m bot.nlp.gazetteer.build_nouns PATH/german_nouns/nouns.csv

Every inflected form of every lemma that Wiktionary calls a noun
("Substantiv") is kept, except:
- names: lemmas tagged Toponym, Vorname, Nachname, Eigenname, Straßenname
  or Abkürzung; a form that is also a person's or a body's name is marked
  with a leading "~" ("~Müller", "~Freund": names as often as not);
- adjectives used as nouns ("Deutsche", "Grüne"), which open names
  ("Deutsche Bank", "Die Grünen"), and multi-word entries.

Place names ("Toponym": "Regensburg", "Passau", "Niederbayern") are kept
with their inflected forms, one place a line (`form<TAB>form...`, the lemma
first), except the forms that are also common nouns ("Bach", "Morgen"),
names of people ("Sinn") or stop words ("Weil").
"""

from __future__ import annotations

import csv
import gzip
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "de_nouns.txt.gz"
PLACES = HERE / "de_places.tsv"
# Forms of these are names as often as not; a place name that is also a
# common noun ("Morgen", "Welt") stays a common noun.
NAMES = {"Vorname", "Nachname", "Eigenname", "Straßenname", "Abkürzung"}
SKIP = {"Wortverbindung", "adjektivische Deklination"}
FIRST_FORM_COLUMN = 7  # the columns before it are the lemma, its part of speech and genders


def common_nouns(rows: list[list[str]]) -> tuple[set[str], set[str]]:
    """The forms of common nouns, and the forms of the names of people and bodies."""
    common: set[str] = set()
    names: set[str] = set()
    for row in rows:
        pos = set(row[1].split(","))
        forms = {row[0], *row[FIRST_FORM_COLUMN:]}
        forms = {w for w in forms if w and " " not in w and w[:1].isupper()}
        if pos & NAMES:
            names |= forms
        elif "Toponym" in pos:
            continue
        elif "Substantiv" in pos and not pos & SKIP:
            common |= forms
    return common, names


def places(rows: list[list[str]], common: set[str]) -> list[str]:
    from bot.nlp.stemming import stop_words_for

    stop = stop_words_for("de")
    lines = []
    for row in rows:
        if "Toponym" not in row[1].split(","):
            continue
        forms = [row[0]] + sorted(
            {w for w in row[FIRST_FORM_COLUMN:] if w and w != row[0] and " " not in w}
        )
        forms = [w for w in forms if w not in common and w.lower() not in stop]
        if forms and forms[0] == row[0]:
            lines.append("\t".join(forms))
    return sorted(set(lines))


def main(argv: list[str]) -> int:
    with Path(argv[0]).open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))[1:]
    common, names = common_nouns(rows)
    nouns = sorted(w if w not in names else "~" + w for w in common)
    data = ("\n".join(nouns) + "\n").encode("utf-8")
    OUT.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    print(f"{OUT.name}: {len(nouns)} forms, {OUT.stat().st_size} bytes")
    rows_places = places(rows, common | names)
    header = "# German place names from Wiktionary DE (CC BY-SA 4.0): build_nouns.py\n"
    PLACES.write_text(header + "\n".join(rows_places) + "\n", encoding="utf-8")
    print(f"{PLACES.name}: {len(rows_places)} places")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
