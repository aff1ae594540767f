"""Regenerate `<language>_words.txt.gz` (English, Spanish, Dutch), words that are not
names, from wordfreq's frequency lists (CC BY-SA 4.0) and Faker's person names (MIT).

A capitalised word that opens a sentence is a name or not: "Painful", "Shocked",
"Footage" under a photo are not; "Hamilton", "Jackson", "Brown" are. wordfreq knows how
often a word is written (in any case) but not whether it is a name, so a word of the list
is kept when it is frequent (Zipf ≥ `MIN_ZIPF`) and no first name or surname of any of
Faker's locales, no place or other name of our gazetteers. Build-time tools only:

    pip download --no-deps wordfreq==3.1.1 faker==40.63.0   # unzip both; msgpack installed
    .venv/bin/python -m bot.nlp.gazetteer.build_words WORDFREQ_DIR FAKER_DIR
"""

from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path

from bot.nlp.gazetteer.build import HERE, _other_names, _people

MIN_ZIPF = 3.0  # about once in a million words
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
LANGUAGES = ("en", "es", "nl")  # those with a labelled set to decide on


def _frequent(wordfreq_dir: Path, language: str) -> list[str]:
    """wordfreq's words of `language` of `MIN_ZIPF` or more, most frequent first (its `cB`
    format: bucket i holds the words of frequency 10^(-i/100))."""
    import msgpack  # a build-time tool, never a dependency

    path = wordfreq_dir / "wordfreq" / "data" / f"large_{language}.msgpack.gz"
    header, *buckets = msgpack.unpackb(gzip.decompress(path.read_bytes()), raw=False)
    assert header == {"format": "cB", "version": 1}, header
    return [
        word
        for i, bucket in enumerate(buckets)
        if 9 - i / 100 >= MIN_ZIPF
        for word in bucket
        if _WORD.fullmatch(word)
    ]


def build(wordfreq_dir: Path, faker_dir: Path, language: str) -> list[str]:
    names = {name.casefold() for name in _people(faker_dir) | _other_names()}
    places = (HERE / "places.tsv").read_text(encoding="utf-8").splitlines()
    names |= {line.split("\t")[0].casefold() for line in places}
    return sorted({word for word in _frequent(wordfreq_dir, language) if word not in names})


def main(argv: list[str]) -> None:
    for language in argv[2:] or LANGUAGES:
        words = build(Path(argv[0]), Path(argv[1]), language)
        data = gzip.compress("\n".join(words).encode() + b"\n", mtime=0)
        (HERE / f"{language}_words.txt.gz").write_bytes(data)
        print(f"{language}: {len(words)} words, {len(data)} bytes")


if __name__ == "__main__":
    main(sys.argv[1:])
