"""Summary quality on the evaluation sets: ROUGE of every algorithm, side by side.

    .venv/bin/python -m benchmarks.quality [--data DIR] [--sets a.jsonl,b.jsonl]
        [--limit N] [--algorithms a,b] [--halves]

Each article goes through what the product does: clean the text
(`bot.ingest.text.parse_text`, when present), split it into sentences, then
summarize in 3 sentences with the title the cleaner found. References are
split with the same splitter; ROUGE is computed as the eval README says (see
`benchmarks/_rouge.py`).

A gain of a few tenths is within the noise of a few hundred articles, so
every set is cut into two fixed halves (rows sorted by id, alternately: see
`benchmarks/_halves.py`). The default's margin over Lead-3 is printed for
each half with its paired bootstrap 95 % interval; `--halves` also prints
every algorithm's ROUGE on each half. Decide a change on half A, confirm it on
half B. `--sets` adds other sets in the same format (e.g. a sample of CNN/DM's
validation split), by path or by name under `--data`.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._halves import margin_lines, split_halves  # noqa: E402
from benchmarks._rouge import ROUGE_TYPES, rouge  # noqa: E402
from bot.nlp.sentences import split_sentences  # noqa: E402
from bot.nlp.summarize import ALGORITHMS, DEFAULT_ALGORITHM, summarize_sentences  # noqa: E402

DATASETS = ("cnndm.jsonl", "orangesum.jsonl")
SUMMARY_SENTENCES = 3


def load_rows(path: Path, limit: int | None = None) -> list[dict[str, str]]:
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                rows.append(json.loads(line))
            if limit is not None and len(rows) >= limit:
                break
    return rows


Cleaned = tuple[str, str | None]  # body, title
Prepared = tuple[list[str], list[str], str, str | None]


def cleaner() -> tuple[str, Callable[[str], Cleaned]]:
    """The product's text cleaner when it exists, else the raw text."""
    try:
        from bot.ingest.text import parse_text
    except ImportError:
        return "raw", lambda text: (text, None)

    def clean(text: str) -> Cleaned:
        article = parse_text(text)
        return article.body, article.title

    return "parse_text", clean


def prepare(rows: Iterable[dict[str, str]], clean: Callable[[str], Cleaned]) -> list[Prepared]:
    """(article sentences, reference sentences, language, title) of each row."""
    prepared = []
    for row in rows:
        language = row["language"]
        body, title = clean(row["article"])
        sentences = split_sentences(body, language)
        reference = [
            s for line in row["reference"].splitlines() for s in split_sentences(line, language)
        ]
        prepared.append((sentences, reference, language, title))
    return prepared


def scores(prepared: Sequence[Prepared], algorithm: str) -> tuple[list[dict[str, float]], float]:
    """ROUGE F1 × 100 of each article, and mean milliseconds per article."""
    rows = []
    elapsed = 0.0
    for sentences, reference, language, title in prepared:
        start = time.perf_counter()
        summary = summarize_sentences(
            sentences,
            language=language,
            count=SUMMARY_SENTENCES,
            algorithm=algorithm,
            title=title,
        )
        elapsed += time.perf_counter() - start
        rows.append(rouge(summary, reference, language))
    return rows, 1000.0 * elapsed / max(len(prepared), 1)


def mean(rows: Sequence[dict[str, float]]) -> dict[str, float]:
    n = max(len(rows), 1)
    return {name: sum(row[name] for row in rows) / n for name in ROUGE_TYPES}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--limit", type=int, default=None, help="rows per set")
    parser.add_argument(
        "--algorithms",
        default=None,
        help=f"comma-separated names (default: all of {', '.join(ALGORITHMS)})",
    )
    parser.add_argument(
        "--sets",
        default=",".join(DATASETS),
        help="comma-separated JSON-lines files, paths or names under --data "
        f"(default: {','.join(DATASETS)})",
    )
    parser.add_argument("--raw", action="store_true", help="skip the text cleaner")
    parser.add_argument(
        "--halves", action="store_true", help="also print every algorithm on each half (A, B)"
    )
    args = parser.parse_args(argv)

    names = args.algorithms.split(",") if args.algorithms else list(ALGORITHMS)
    unknown = [n for n in names if n not in ALGORITHMS]
    if unknown:
        parser.error(
            f"unknown algorithm(s) {', '.join(unknown)}; choose from {', '.join(ALGORITHMS)}"
        )
    # The default first, the baseline last, stock sumy in between.
    names.sort(key=lambda n: (n != DEFAULT_ALGORITHM, n == "lead"))

    how, clean = cleaner()
    if args.raw:
        how, clean = "raw", (lambda text: (text, None))
    sets = []
    raws = []
    for filename in args.sets.split(","):
        path = Path(filename) if Path(filename).exists() else args.data / filename
        if not path.exists():
            parser.error(f"{path} not found; pass --data DIR or a path in --sets")
        loaded = load_rows(path, args.limit)
        raws.append(loaded)
        sets.append((path.name.removesuffix(".jsonl"), prepare(loaded, clean)))

    print(f"ROUGE F1 x100, {SUMMARY_SENTENCES}-sentence summaries, text: {how}")
    ids = {
        set_name: [row["id"] for row in raw] for (set_name, _), raw in zip(sets, raws, strict=True)
    }
    per_article = _table(names, sets, ids, args.halves)
    print("* default; 'lead' is Lead-3; ms = summarize only, mean per article")
    if DEFAULT_ALGORITHM in names and "lead" in names:
        print()
        means = {key: mean(rows) for key, rows in per_article.items()}
        raw_rows = {set_name: rows for (set_name, _), rows in zip(sets, raws, strict=True)}
        print(_margins(means, raw_rows, args.limit))
        print()
        print("default minus Lead-3 of our cleaned sentences on each half, paired bootstrap 95 %:")
        for set_name, _ in sets:
            lines = margin_lines(
                set_name,
                ids[set_name],
                per_article[DEFAULT_ALGORITHM, set_name],
                per_article["lead", set_name],
            )
            print("\n".join(lines))
    return 0


Scores = dict[tuple[str, str], list[dict[str, float]]]


def _table(
    names: Sequence[str],
    sets: Sequence[tuple[str, list[Prepared]]],
    ids: Mapping[str, Sequence[str]],
    show_halves: bool,
) -> Scores:
    """Print every algorithm's ROUGE on every set (and on each half when asked);
    return the per-article scores, by (algorithm, set)."""
    header = f"{'algorithm':<12}"
    for set_name, prepared in sets:
        header += f" | {set_name + f' ({len(prepared)})':^26}"
    print(header)
    sub = f"{'':<12}" + " | {:>6} {:>6} {:>6} {:>5}".format("R1", "R2", "RLsum", "ms") * len(sets)
    print(sub)
    print("-" * len(sub))
    halves: list[str] = []
    per_article: Scores = {}
    for name in names:
        line = f"{name + (' *' if name == DEFAULT_ALGORITHM else ''):<12}"
        in_half = [f"{name[:7] + ' A':<12}", f"{name[:7] + ' B':<12}"]
        for set_name, prepared in sets:
            rows, ms = scores(prepared, name)
            per_article[name, set_name] = rows
            line += _cell(rows, f"{ms:5.1f}")
            for k, half in enumerate(split_halves(ids[set_name])):
                in_half[k] += _cell([rows[i] for i in half], "")
        print(line, flush=True)
        halves += in_half
    if show_halves:
        print("-" * len(sub))
        print("\n".join(halves))
    return per_article


def _cell(rows: Sequence[dict[str, float]], ms: str) -> str:
    m = mean(rows)
    return " | {:6.2f} {:6.2f} {:6.2f} {:5}".format(m["rouge1"], m["rouge2"], m["rougeLsum"], ms)


# Lead-3 as the eval README reports it (R1, R2): the first three sentences of
# the raw article, split naively.
README_LEAD3 = {"cnndm": (40.7, 18.7), "orangesum": (26.9, 9.7)}
_NAIVE_SPLIT = re.compile(r"(?<=[.!?])\s+")


def naive_lead3(rows: Iterable[dict[str, str]]) -> dict[str, float]:
    """Lead-3 of the raw text split after every . ! ? (the eval README's baseline)."""
    scored = []
    for row in rows:
        language = row["language"]
        sentences = [s for s in _NAIVE_SPLIT.split(row["article"].strip()) if s]
        reference = [
            s for line in row["reference"].splitlines() for s in split_sentences(line, language)
        ]
        scored.append(rouge(sentences[:SUMMARY_SENTENCES], reference, language))
    return mean(scored)


def _margins(
    means: Mapping[tuple[str, str], dict[str, float]],
    raw_rows: Mapping[str, Sequence[dict[str, str]]],
    limit: int | None,
) -> str:
    """The default's ROUGE-1/2 over each Lead-3 baseline (the eval README's
    figures are for whole sets only)."""
    lines = ["default minus Lead-3, ROUGE-1 / ROUGE-2:"]
    for name, raw in raw_rows.items():
        ours, lead = means[DEFAULT_ALGORITHM, name], means["lead", name]
        naive = naive_lead3(raw)
        r1, r2 = ours["rouge1"], ours["rouge2"]
        readme = README_LEAD3.get(name) if limit is None else None
        parts = [
            f"{name:<10} vs Lead-3 of our cleaned sentences {r1 - lead['rouge1']:+.2f} / "
            f"{r2 - lead['rouge2']:+.2f}",
            f"vs naive Lead-3 of the raw text ({naive['rouge1']:.2f} / {naive['rouge2']:.2f}) "
            f"{r1 - naive['rouge1']:+.2f} / {r2 - naive['rouge2']:+.2f}",
        ]
        if readme:
            parts.append(
                f"vs the eval README's ({readme[0]} / {readme[1]}) "
                f"{r1 - readme[0]:+.2f} / {r2 - readme[1]:+.2f}"
            )
        lines.append(";\n           ".join(parts))
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
