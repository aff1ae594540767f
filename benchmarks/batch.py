"""Whole-process `precis batch` against a whole-process sumy LexRank, same articles.

    .venv/bin/python -m benchmarks.batch [--data DIR] [--articles 2000] [--repeat 3]

Both sides are timed as a user runs them, start-up included: a fresh process reads JSON
lines on stdin and writes one JSON line per article.
- precis: `precis batch` as installed (one worker process per core, by default);
- sumy: LexRank as sumy ships it, on its PlaintextParser with a regex tokenizer (sentences
  cut after . ! ?, words as \\w+ runs: sumy's own Tokenizer needs NLTK data we do not have),
  sumy's stemmer and stop words, 3 sentences, one process (sumy has no parallel mode).
The input is the CNN/DM dev set repeated up to --articles lines (the issue's measure), and
then once more with every article distinct (CNN/DM and OrangeSum once each, so no article
is met twice). Each figure is the best of --repeat runs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SUMY = r"""
import json, re, sys
from sumy.nlp.stemmers import Stemmer
from sumy.parsers.plaintext import PlaintextParser
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.utils import get_stop_words

class RegexTokenizer:
    def __init__(self, language):
        self.language = language
    def to_sentences(self, text):
        return [s for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]
    def to_words(self, sentence):
        return re.findall(r"\w+", sentence)

summarizers = {}
for line in sys.stdin.buffer:
    row = json.loads(line)
    name = {"fr": "french"}.get(row.get("language"), "english")
    if name not in summarizers:
        summarizers[name] = LexRankSummarizer(Stemmer(name))
        summarizers[name].stop_words = get_stop_words(name)
    document = PlaintextParser.from_string(row["text"], RegexTokenizer(name)).document
    summary = [str(s) for s in summarizers[name](document, 3)]
    sys.stdout.write(json.dumps({"id": row["id"], "summary": summary}, ensure_ascii=False) + "\n")
"""


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _write(rows: list[dict[str, str]], path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i, row in enumerate(rows):
            line = {"id": i, "text": row["article"], "language": row["language"]}
            out.write(json.dumps(line, ensure_ascii=False) + "\n")


def _run(command: list[str], source: Path, repeat: int) -> tuple[float, int]:
    best, lines = float("inf"), 0
    for _ in range(repeat):
        with source.open("rb") as stdin, tempfile.TemporaryFile() as stdout:
            start = time.perf_counter()
            subprocess.run(command, stdin=stdin, stdout=stdout, check=True, cwd=ROOT)
            best = min(best, time.perf_counter() - start)
            stdout.seek(0)
            out = stdout.read().splitlines()
            lines = len(out)
            errors = sum(b'"error"' in line[:200] for line in out)
            if errors:
                raise SystemExit(f"{' '.join(command[:3])}: {errors} lines failed")
    return best, lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    cnndm = _rows(args.data / "cnndm.jsonl")
    distinct = cnndm + _rows(args.data / "orangesum.jsonl")
    precis = [str(Path(sys.executable).with_name("precis")), "batch"]
    sumy = [sys.executable, "-c", SUMY]
    print(f"whole process, start-up included, best of {args.repeat}; {os.cpu_count()} cores")
    print(f"{'input':<44} {'precis batch':>13} {'sumy LexRank':>13} {'speed-up':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        sets = [
            (f"cnndm repeated ({args.articles} articles)",
             [cnndm[i % len(cnndm)] for i in range(args.articles)]),
            (f"cnndm + orangesum, each once ({len(distinct)})", distinct),
        ]  # fmt: skip
        for label, rows in sets:
            source = Path(tmp) / "in.jsonl"
            _write(rows, source)
            ours, n1 = _run(precis, source, args.repeat)
            theirs, n2 = _run(sumy, source, args.repeat)
            assert n1 == n2 == len(rows), (n1, n2, len(rows))
            print(f"{label:<44} {ours:12.2f}s {theirs:12.2f}s {theirs / ours:8.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
