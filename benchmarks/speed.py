"""Engine speed on the CNN/DM dev set: milliseconds per article, import cost.

    .venv/bin/python -m benchmarks.speed [--data DIR] [--limit N] [--repeat R] [--stages]

Pinned to one core, times in one process and on the same articles:
- text -> Summary: the whole engine as every door runs it (clean the text,
  language, sentences, summary with the default algorithm, key entities);
- split + summarize with the default algorithm alone;
- sumy's LexRank as sumy ships it, the baseline of the speed target:
  `PlaintextParser` with sumy's `Tokenizer` (NLTK's Punkt sentence splitter
  and NLTK's word tokenizer, as `nltk.word_tokenize` runs them), sumy's
  stemmer (NLTK Snowball) and stop words, `LexRankSummarizer`. One change:
  Punkt runs with its built-in rules, without the abbreviation lists it
  learned from NLTK data we do not have (the algorithm and its cost are the
  same; only `Tokenizer(language)` refuses to start without them);
- stock LexRank on our sentences and words (sumy's stemmer and stop words on
  a document our splitter and tokenizer built): sumy's algorithm without its
  tokenizers, a stricter comparison.
The engine is timed as installed: compiled with mypyc (setup.py) unless
installed with PRECIS_COMPILE=0; the first line says which.
Each article is timed the first time the engine meets it, as a bot meets
news: the engine remembers words, tokens and stems across articles, so a
second look at the same article would be faster than any real one. Every
timed process therefore reads the articles once, in order, after a warm-up
on other text; `--repeat` such processes run one after the other and each
article's best time is kept (noise from the machine only adds); the figures
are the median and 95th percentile over articles. Start-up (imports, model
loading) is excluded. `--stages` adds each stage of the engine timed alone,
repeated on the same input (caches warm), so the stages add up to less than
the whole engine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.quality import load_rows  # noqa: E402
from bot.compiled import describe  # noqa: E402
from bot.ingest.text import parse_text  # noqa: E402
from bot.nlp.entities import extract_entities  # noqa: E402
from bot.nlp.language import detect_language  # noqa: E402
from bot.nlp.sentences import split_sentences  # noqa: E402
from bot.nlp.summarize import DEFAULT_ALGORITHM, build_document, summarize_sentences  # noqa: E402
from bot.nlp.tokens import forget_sentences  # noqa: E402
from bot.pipeline import analyse  # noqa: E402


def _engine(text: str, language: str) -> list[str]:
    return analyse(parse_text(text)).summary


def _default(text: str, language: str) -> list[str]:
    sentences = split_sentences(text, language)
    return summarize_sentences(sentences, language=language, count=3)


def _sumy_lexrank() -> Callable[[str, str], list[str]]:
    """sumy's LexRank from text, as sumy runs it (see the module docstring)."""
    from nltk.tokenize.destructive import NLTKWordTokenizer
    from nltk.tokenize.punkt import PunktSentenceTokenizer
    from sumy.nlp.stemmers import Stemmer
    from sumy.nlp.tokenizers import Tokenizer
    from sumy.parsers.plaintext import PlaintextParser
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.utils import get_stop_words

    class WordTokenizer:  # nltk.word_tokenize: Punkt sentences, then Treebank-style words
        def __init__(self, sentences: PunktSentenceTokenizer) -> None:
            self.sentences = sentences
            self.words = NLTKWordTokenizer()

        def tokenize(self, text: str) -> list[str]:
            return [w for s in self.sentences.tokenize(text) for w in self.words.tokenize(s)]

    class SumyTokenizer(Tokenizer):  # type: ignore[misc]
        def _get_sentence_tokenizer(self, language: str) -> PunktSentenceTokenizer:
            return PunktSentenceTokenizer()  # Punkt without NLTK's trained abbreviations

        def _get_word_tokenizer(self, language: str) -> WordTokenizer:
            return WordTokenizer(self._sentence_tokenizer)

    def run(text: str, language: str) -> list[str]:
        name = {"en": "english", "fr": "french"}[language]
        document = PlaintextParser.from_string(text, SumyTokenizer(name)).document
        summarizer = LexRankSummarizer(Stemmer(name))
        summarizer.stop_words = get_stop_words(name)
        return [str(s) for s in summarizer(document, 3)]

    return run


def _lexrank_on_our_tokens() -> Callable[[str, str], list[str]]:
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.utils import get_stop_words

    def run(text: str, language: str) -> list[str]:
        name = {"en": "english", "fr": "french"}[language]
        summarizer = LexRankSummarizer(Stemmer(name))
        summarizer.stop_words = get_stop_words(name)
        document = build_document(split_sentences(text, language), language)
        return [str(s) for s in summarizer(document, 3)]

    return run


def _time(
    run: Callable[[str, str], object], rows: Sequence[dict[str, str]], repeat: int
) -> list[float]:
    times = []
    for row in rows:
        best = float("inf")
        for _ in range(repeat):
            forget_sentences()  # each repetition meets the article as new
            start = time.perf_counter()
            run(row["article"], row["language"])
            best = min(best, time.perf_counter() - start)
        times.append(1000.0 * best)
    return times


def _stages(rows: Sequence[dict[str, str]]) -> list[tuple[str, Callable[[str, str], object]]]:
    """Each stage of `analyse(parse_text(text))` alone, on that stage's real input."""
    cleaned = {row["article"]: parse_text(row["article"]) for row in rows}
    split = {
        text: split_sentences(article.body.strip(), detect_language(article.body.strip()))
        for text, article in cleaned.items()
    }
    return [
        ("  parse_text", lambda text, language: parse_text(text)),
        ("  language", lambda text, language: detect_language(cleaned[text].body.strip())),
        ("  sentences", lambda text, language: split_sentences(cleaned[text].body, language)),
        ("  summary", lambda text, language: summarize_sentences(
            split[text], language=language, count=3, title=cleaned[text].title)),
        ("  entities", lambda text, language: extract_entities(
            split[text], language=language, title=cleaned[text].title)),
    ]  # fmt: skip


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def _candidates() -> list[tuple[str, Callable[[str, str], object]]]:
    return [
        ("text -> Summary (whole engine)", _engine),
        (f"split + {DEFAULT_ALGORITHM} (default)", _default),
        ("sumy LexRank, as shipped", _sumy_lexrank()),
        ("LexRank on our sentences, words", _lexrank_on_our_tokens()),
    ]


def _first_sight(data: Path, limit: int | None) -> dict[str, list[float]]:
    """One pass: each candidate on each article once (run in a fresh process)."""
    rows = load_rows(data / "cnndm.jsonl", limit)
    candidates = _candidates()
    warm = load_rows(data / "orangesum.jsonl", 10) + [
        {"article": "Warm up: the engine loads its models and stop words here. " * 5,
         "language": "en"}
    ]  # fmt: skip
    for _, run in candidates:  # imports, models, stop-word files; not these articles
        for row in warm:
            run(row["article"], row["language"])
    times: dict[str, list[float]] = {label: [] for label, _ in candidates}
    for label, run in candidates:  # each over the stream of articles, as a bot reads news
        for row in rows:
            forget_sentences()
            start = time.perf_counter()
            run(row["article"], row["language"])
            times[label].append(1000.0 * (time.perf_counter() - start))
    return times


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=5, help="fresh processes to run")
    parser.add_argument("--stages", action="store_true", help="also time each stage alone")
    parser.add_argument("--one-pass", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    path = args.data / "cnndm.jsonl"
    if not path.exists():
        parser.error(f"{path} not found; pass --data DIR")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    if args.one_pass:
        json.dump(_first_sight(args.data, args.limit), sys.stdout)
        return 0
    command = [sys.executable, "-m", "benchmarks.speed", "--one-pass", "--data", str(args.data)]
    if args.limit is not None:
        command += ["--limit", str(args.limit)]
    passes = [
        json.loads(subprocess.run(command, cwd=ROOT, check=True, capture_output=True,
                                  text=True).stdout)
        for _ in range(args.repeat)
    ]  # fmt: skip
    labels = list(passes[0])
    n = len(passes[0][labels[0]])
    print(describe())
    print(f"ms per article, cnndm ({n} articles, each met once per process, "
          f"best of {args.repeat} processes)")  # fmt: skip
    print(f"{'':<34} {'median':>7} {'p95':>7}")
    medians = {}
    for label in labels:
        times = [min(p[label][i] for p in passes) for i in range(n)]
        medians[label] = statistics.median(times)
        print(f"{label:<34} {statistics.median(times):7.2f} {_p95(times):7.2f}")
    engine = medians[labels[0]]
    shipped, ours = medians[labels[2]], medians[labels[3]]
    print(
        f"whole engine vs sumy's LexRank alone: {shipped / engine:.1f}x faster (medians; "
        f"{ours / engine:.1f}x vs LexRank on our tokens)"
    )
    if args.stages:
        rows = load_rows(path, args.limit)
        print("engine stages, each alone (repeated on the same input):")
        for label, stage in _stages(rows):
            times = _time(stage, rows, args.repeat)
            print(f"{label:<34} {statistics.median(times):7.2f} {_p95(times):7.2f}")
    print(_import_cost())
    return 0


# The peak is the child's own high-water mark (VmHWM). Its ru_maxrss is no
# good here: Linux carries the parent's peak across fork and exec into it, so
# it reported this benchmark's own memory instead.
IMPORT_PROBE = """
import resource, time
t = time.perf_counter()
from bot.pipeline import analyse
from bot.ingest.text import parse_text
analyse(parse_text("Warm up: the engine loads its language model and stop words here. " * 3))
ms = (time.perf_counter() - t) * 1000
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
try:
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
except (OSError, StopIteration):
    pass
print(f"{ms:.0f} {peak:.0f}")
"""


def _import_cost() -> str:
    """Import of the engine plus everything it loads (first call included), fresh process."""
    done = subprocess.run([sys.executable, "-c", IMPORT_PROBE], cwd=ROOT, check=True,
                          capture_output=True, text=True)  # fmt: skip
    ms, rss = done.stdout.split()
    return f"engine import + first summary: {ms} ms, peak RSS {rss} MB"


if __name__ == "__main__":
    raise SystemExit(main())
