"""HTML extraction quality: token F1 of the extracted body against the true body.

Scoring as in /work/shared/eval/README.md (the article-extraction benchmark):
whitespace tokens, multiset overlap, precision / recall / F1 per page, averaged
over pages. Prints our `extract_html` next to trafilatura's default `extract()`, on
two halves of the pages (even / odd position by sorted id: decide on A, confirm on
B) and on all of them.

    .venv/bin/python benchmarks/extraction.py [--data PATH] [--worst N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from bot.errors import PrecisError  # noqa: E402
from bot.ingest.files import decode_text  # noqa: E402
from bot.ingest.html import extract_html  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "eval" / "extraction"

Scores = tuple[float, float, float]


def score(predicted: str, truth: str) -> Scores:
    """Token-level precision, recall and F1 (whitespace tokens, multiset overlap)."""
    pred, true = Counter(predicted.split()), Counter(truth.split())
    if not pred and not true:
        return 1.0, 1.0, 1.0
    if not pred or not true:
        return 0.0, 0.0, 0.0
    overlap = sum((pred & true).values())
    precision = overlap / sum(pred.values())
    recall = overlap / sum(true.values())
    f1 = 2 * precision * recall / (precision + recall) if overlap else 0.0
    return precision, recall, f1


def ours(html: str, url: str) -> str:
    try:
        return extract_html(html, url=url).body
    except PrecisError:
        return ""


def trafilatura_default(html: str, url: str) -> str:
    return trafilatura.extract(html) or ""


SYSTEMS: dict[str, Callable[[str, str], str]] = {
    "precis extract_html": ours,
    "trafilatura default": trafilatura_default,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--worst", type=int, default=0, help="list the N worst pages of ours")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")

    truth_file = args.data / "truth.jsonl"
    rows = [json.loads(line) for line in truth_file.read_text().splitlines() if line.strip()]
    rows.sort(key=lambda row: row["id"])
    pages = {
        row["id"]: decode_text((args.data / f"{row['id']}.html").read_bytes(), is_html=True)
        for row in rows
    }

    results: dict[str, list[Scores]] = {}
    timings: dict[str, float] = {}
    for name, system in SYSTEMS.items():
        started = time.perf_counter()
        results[name] = [score(system(pages[r["id"]], r["url"]), r["body"]) for r in rows]
        timings[name] = time.perf_counter() - started

    print(f"{len(rows)} pages from {args.data} (halves A/B: even/odd position by sorted id)")
    halves = {"A": range(0, len(rows), 2), "B": range(1, len(rows), 2), "all": range(len(rows))}
    header = "  ".join(f"{h:>4s} P      R      F1    " for h in halves)
    print(f"{'system':22s} {header} {'ms/page':>8s}")
    for name, scores in results.items():
        cells = []
        for indices in halves.values():
            means = (sum(scores[i][k] for i in indices) / len(indices) for k in range(3))
            cells.append(" ".join(f"{m:.4f}" for m in means))
        ms = 1000 * timings[name] / len(scores)
        print(f"{name:22s} " + "   ".join(cells) + f" {ms:8.1f}")

    if args.worst:
        mine = results["precis extract_html"]
        order = sorted(range(len(rows)), key=lambda i: mine[i][2])[: args.worst]
        print(f"\nworst {args.worst} pages (ours): P R F1 id url")
        for i in order:
            p, r, f = mine[i]
            print(f"  {p:.3f} {r:.3f} {f:.3f} {rows[i]['id'][:12]} {rows[i]['url'][:70]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
