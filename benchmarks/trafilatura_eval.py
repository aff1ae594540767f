"""Extraction on trafilatura's own evaluation set, scored with trafilatura's own scheme.

The set is adbar/trafilatura's `tests/` folder: `evaldata.json` (990 pages, each with up
to six `with` snippets that belong to the main text and up to six `without` snippets that
do not) and the pages under `cache/` and `eval/`. It is large and not ours, so it is not
committed: point the script at a checkout's `tests/` folder.

Scoring as trafilatura's `tests/eval_common.py` (`count_item`, `ConfusionMatrix`; the
former `comparison.py` did the same without the whitespace normalisation, `--exact`): a
`with` snippet found in the output is a true positive, else a false negative; a `without`
snippet found is a false positive, else a true negative; a crash or no output finds
nothing. Precision, recall and F1 are computed over all snippets of all pages. Pages are
split into two halves by sorted file name (even / odd position): decide on half A,
confirm on half B.

    .venv/bin/python benchmarks/trafilatura_eval.py PATH/TO/trafilatura/tests
        [--systems precis,default,benchmark,recall] [--exact] [--misses N [--half A]]
        [--workers N]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from bot.errors import PrecisError  # noqa: E402
from bot.ingest.files import decode_text  # noqa: E402
from bot.ingest.html import extract_html  # noqa: E402

# The settings of trafilatura's own benchmark (tests/eval_common.py EXTRACT_OPTS, fast=False).
BENCHMARK_OPTS: dict[str, Any] = {
    "fast": False,
    "include_comments": False,
    "include_tables": True,
    "include_formatting": False,
}


def precis(page: bytes, url: str) -> str | None:
    try:
        return extract_html(decode_text(page, is_html=True), url=url).body
    except PrecisError:
        return None


def trafilatura_default(page: bytes, url: str) -> str | None:
    return trafilatura.extract(page)


def trafilatura_benchmark(page: bytes, url: str) -> str | None:
    return trafilatura.extract(page, **BENCHMARK_OPTS)


def trafilatura_recall(page: bytes, url: str) -> str | None:
    return trafilatura.extract(page, favor_recall=True, **BENCHMARK_OPTS)


SYSTEMS: dict[str, tuple[str, Callable[[bytes, str], str | None]]] = {
    "precis": ("precis extract_html", precis),
    "default": ("trafilatura default", trafilatura_default),
    "benchmark": ("trafilatura bench opts", trafilatura_benchmark),
    "recall": ("trafilatura favor_recall", trafilatura_recall),
}


def norm(text: str) -> str:
    """Whitespace-normalised, as trafilatura's scorer compares snippets and outputs."""
    return re.sub(r"\s+", " ", text).strip()


def count_item(item: dict[str, Any], result: str | None, exact: bool = False) -> tuple[int, ...]:
    """(tp, fp, fn, tn) of one page: substring matching of each snippet in the output."""
    if not isinstance(result, str):
        return 0, 0, len(item["with"]), len(item["without"])
    prep = (lambda s: s) if exact else norm
    output = prep(result)
    tp = sum(1 for snippet in item["with"] if prep(snippet) in output)
    fp = sum(1 for snippet in item["without"] if prep(snippet) in output)
    return tp, fp, len(item["with"]) - tp, len(item["without"]) - fp


@dataclass
class Matrix:
    counts: list[int] = field(default_factory=lambda: [0, 0, 0, 0])  # tp, fp, fn, tn

    def add(self, counts: tuple[int, ...]) -> None:
        self.counts = [a + b for a, b in zip(self.counts, counts, strict=True)]

    def scores(self) -> tuple[float, float, float]:
        tp, fp, fn, _ = self.counts
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        return precision, recall, f1


def load(folder: Path) -> list[tuple[str, dict[str, Any], Path]]:
    """(url, annotation, page path) for every page, sorted by file name."""
    data = json.loads((folder / "evaldata.json").read_text(encoding="utf-8"))
    rows = []
    for url, item in data.items():
        for sub in ("cache", "eval"):
            path = folder / sub / item["file"]
            if path.is_file():
                rows.append((url, item, path))
                break
        else:
            raise SystemExit(f"{url}: page not found: {item['file']}")
    return sorted(rows, key=lambda row: row[1]["file"])


def _run_page(task: tuple[str, str, Path]) -> tuple[str | None, float]:
    key, url, path = task
    warnings.simplefilter("ignore")
    started = time.perf_counter()
    try:
        output = SYSTEMS[key][1](path.read_bytes(), url)
    except Exception:  # noqa: BLE001 - a crash counts as a full miss, as in trafilatura's scorer
        output = None
    return output, time.perf_counter() - started


def run_system(key: str, rows: list[Any], workers: int) -> tuple[list[str | None], float]:
    tasks = [(key, url, path) for url, _, path in rows]
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            done = list(pool.map(_run_page, tasks, chunksize=8))
    else:
        done = [_run_page(task) for task in tasks]
    return [output for output, _ in done], sum(seconds for _, seconds in done)


def report(rows: list[Any], outputs: dict[str, list[str | None]], exact: bool) -> None:
    halves = {"A": range(0, len(rows), 2), "B": range(1, len(rows), 2), "all": range(len(rows))}
    print(f"{'system':26s} " + "  ".join(f"{h:>5s} P     R     F1  " for h in halves))
    for key, results in outputs.items():
        cells = []
        for indices in halves.values():
            matrix = Matrix()
            for i in indices:
                matrix.add(count_item(rows[i][1], results[i], exact))
            cells.append("  ".join(f"{x:.3f}" for x in matrix.scores()))
        print(f"{SYSTEMS[key][0]:26s} " + "   ".join(cells))


def misses(
    rows: list[Any], outputs: dict[str, list[str | None]], limit: int, half: str = ""
) -> None:
    """The snippets Précis gets wrong and the first other system gets right (of one half:
    look at half A's to decide what to change, keep half B for confirming it)."""
    other = next((k for k in outputs if k != "precis"), None)
    if "precis" not in outputs or other is None:
        return
    shown = 0
    print(f"\nsnippets precis gets wrong and {SYSTEMS[other][0]} right (half, file, kind):")
    for i, (_, item, _) in enumerate(rows):
        if half and "AB"[i % 2] != half:
            continue
        ours, theirs = norm(outputs["precis"][i] or ""), norm(outputs[other][i] or "")
        for kind, wanted in (("with", True), ("without", False)):
            for snippet in item[kind]:
                s = norm(snippet)
                if (s in ours) != wanted and (s in theirs) == wanted and shown < limit:
                    shown += 1
                    print(f"  {'AB'[i % 2]} {item['file'][:40]:40s} {kind:7s} {s[:70]!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="trafilatura's tests/ folder")
    parser.add_argument("--systems", default="precis,default,benchmark,recall")
    parser.add_argument("--exact", action="store_true", help="no whitespace normalisation")
    parser.add_argument("--misses", type=int, default=0, help="list N snippets we miss")
    parser.add_argument("--half", choices=("A", "B"), default="", help="--misses of one half")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    keys = [k.strip() for k in args.systems.split(",") if k.strip()]
    unknown = [k for k in keys if k not in SYSTEMS]
    if unknown:
        parser.error(f"unknown systems {unknown}; choose from {sorted(SYSTEMS)}")

    rows = load(args.folder)
    outputs: dict[str, list[str | None]] = {}
    timings: dict[str, float] = {}
    for key in keys:
        outputs[key], timings[key] = run_system(key, rows, args.workers)
    snippets = sum(len(item["with"]) + len(item["without"]) for _, item, _ in rows)
    print(
        f"{len(rows)} pages, {snippets} snippets from {args.folder} "
        f"(trafilatura {trafilatura.__version__}; halves A/B by sorted file name)"
    )
    report(rows, outputs, args.exact)
    print("ms/page: " + ", ".join(f"{k} {1000 * t / len(rows):.0f}" for k, t in timings.items()))
    if args.misses:
        misses(rows, outputs, args.misses, args.half)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
