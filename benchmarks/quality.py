"""Summary quality on the evaluation sets: ROUGE of every algorithm, side by side.

    .venv/bin/python -m benchmarks.quality [--data DIR] [--limit N] [--algorithms a,b]

Each article goes through what the product does: clean the text
(`bot.ingest.text.parse_text`, when present), split it into sentences, then
summarize in 3 sentences. References are split with the same splitter; ROUGE
is computed as the eval README says (see `benchmarks/_rouge.py`).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

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


def cleaner() -> tuple[str, Callable[[str], str]]:
    """The product's text cleaner when it exists, else the raw text."""
    try:
        from bot.ingest.text import parse_text
    except ImportError:
        return "raw", lambda text: text
    return "parse_text", lambda text: parse_text(text).body


def prepare(
    rows: Iterable[dict[str, str]], clean: Callable[[str], str]
) -> list[tuple[list[str], list[str], str]]:
    """(article sentences, reference sentences, language) of each row."""
    prepared = []
    for row in rows:
        language = row["language"]
        sentences = split_sentences(clean(row["article"]), language)
        reference = [
            s for line in row["reference"].splitlines() for s in split_sentences(line, language)
        ]
        prepared.append((sentences, reference, language))
    return prepared


def evaluate(
    prepared: Sequence[tuple[list[str], list[str], str]], algorithm: str
) -> tuple[dict[str, float], float]:
    """Mean ROUGE F1 × 100 and mean milliseconds per article."""
    totals = dict.fromkeys(ROUGE_TYPES, 0.0)
    elapsed = 0.0
    for sentences, reference, language in prepared:
        start = time.perf_counter()
        summary = summarize_sentences(
            sentences, language=language, count=SUMMARY_SENTENCES, algorithm=algorithm
        )
        elapsed += time.perf_counter() - start
        for name, value in rouge(summary, reference, language).items():
            totals[name] += value
    n = max(len(prepared), 1)
    return {k: v / n for k, v in totals.items()}, 1000.0 * elapsed / n


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--limit", type=int, default=None, help="rows per set")
    parser.add_argument(
        "--algorithms",
        default=None,
        help=f"comma-separated names (default: all of {', '.join(ALGORITHMS)})",
    )
    parser.add_argument("--raw", action="store_true", help="skip the text cleaner")
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
        how, clean = "raw", (lambda text: text)
    sets = []
    for filename in DATASETS:
        path = args.data / filename
        if not path.exists():
            parser.error(f"{path} not found; pass --data DIR")
        sets.append((filename.removesuffix(".jsonl"), prepare(load_rows(path, args.limit), clean)))

    header = f"{'algorithm':<12}"
    for set_name, prepared in sets:
        header += f" | {set_name + f' ({len(prepared)})':^26}"
    print(f"ROUGE F1 x100, {SUMMARY_SENTENCES}-sentence summaries, text: {how}")
    print(header)
    sub = f"{'':<12}" + " | {:>6} {:>6} {:>6} {:>5}".format("R1", "R2", "RLsum", "ms") * len(sets)
    print(sub)
    print("-" * len(sub))
    for name in names:
        line = f"{name + (' *' if name == DEFAULT_ALGORITHM else ''):<12}"
        for _, prepared in sets:
            scores, ms = evaluate(prepared, name)
            line += " | {:6.2f} {:6.2f} {:6.2f} {:5.1f}".format(
                scores["rouge1"], scores["rouge2"], scores["rougeLsum"], ms
            )
        print(line, flush=True)
    print("* default; 'lead' is Lead-3; ms = summarize only, mean per article")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
