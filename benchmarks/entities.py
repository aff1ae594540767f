"""Key-entity precision and typing on CoNLL-2003 (English test set).

    .venv/bin/python -m benchmarks.entities [--data PATH] [--limit N] [--show N]

Each document is detokenized (one sentence per line, usual spacing around
punctuation); its first line, the headline, is passed as the title and the
rest as sentences to `extract_entities`, as the pipeline does with an article.

Scoring, for the top k (5 and 10) entities of each document:
- precision: a predicted entity is right when its text equals the text of a
  gold entity of the document (case-insensitive, so "JAPAN" in a headline
  equals "Japan"), or when its words are a proper subset of the words of
  exactly one distinct gold entity string (the surname "Takagi" of the gold
  "Takuya Takagi"; "United" is not right when both "Manchester United" and
  "United States" are gold). Averaged over documents with a prediction
  (macro); the micro figure (all right / all predicted) follows in brackets.
- type accuracy: among the right predictions, the share whose type is the
  gold type of the matched string (PER -> person, LOC -> place,
  ORG -> organization, MISC -> other; a string tagged with several types in
  one document accepts any of them). Micro-averaged.
The naive baseline takes every run of capitalised words as an entity,
ranks them by frequency (then first appearance) and types them all "place",
the most frequent gold type.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.models import Entity  # noqa: E402
from bot.nlp.entities import extract_entities  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "eval" / "conll2003-en-test.conllu"
GOLD_TYPES = {"PER": "person", "LOC": "place", "ORG": "organization", "MISC": "other"}

_NO_SPACE_BEFORE = {",", ".", ";", ":", "!", "?", ")", "]", "}", "%", "'s", "n't", "'", "'re",
                    "'ve", "'ll", "'d", "'m"}  # fmt: skip
_NO_SPACE_AFTER = {"(", "[", "{", "$"}


@dataclass
class Document:
    lines: list[str]  # detokenized sentences; the first is the headline
    gold: dict[str, set[str]]  # casefolded entity text -> our type names
    words: int


def detokenize(tokens: Sequence[str]) -> str:
    out: list[str] = []
    quote_open = False
    glue = False  # no space before the next token
    for tok in tokens:
        space = bool(out) and not glue
        if tok in _NO_SPACE_BEFORE:
            space = False
        glue = tok in _NO_SPACE_AFTER
        if tok == '"':
            if quote_open:
                space = False
            else:
                glue = True
            quote_open = not quote_open
        out.append((" " if space else "") + tok)
    return "".join(out)


def load(path: Path) -> list[Document]:
    docs: list[Document] = []
    sentences: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []

    def end_sentence() -> None:
        if current:
            sentences.append(list(current))
            current.clear()

    def end_document() -> None:
        end_sentence()
        if sentences:
            docs.append(_document(sentences))
            sentences.clear()

    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 3:
            end_sentence()
            continue
        token, tag = parts[1], parts[2]
        if token == "-DOCSTART-":
            end_document()
            continue
        current.append((token, tag))
    end_document()
    return docs


def _document(sentences: list[list[tuple[str, str]]]) -> Document:
    gold: dict[str, set[str]] = {}
    lines = []
    words = 0
    for sentence in sentences:
        tokens = [tok for tok, _ in sentence]
        lines.append(detokenize(tokens))
        words += sum(1 for tok in tokens if any(c.isalnum() for c in tok))
        span: list[str] = []
        kind = ""
        for tok, tag in [*sentence, ("", "O")]:
            if tag.startswith("I-") and span and tag[2:] == kind:
                span.append(tok)
                continue
            if span:
                gold.setdefault(detokenize(span).casefold(), set()).add(GOLD_TYPES[kind])
            span, kind = ([tok], tag[2:]) if tag[:2] in ("B-", "I-") else ([], "")
    return Document(lines, gold, words)


_WORD = re.compile(r"\w+")


def match(text: str, gold: dict[str, set[str]]) -> set[str] | None:
    """The gold types of the entity `text` stands for, or None (see module doc)."""
    folded = text.casefold()
    if folded in gold:
        return gold[folded]
    words = set(_WORD.findall(folded))
    if not words:
        return None
    holders = [g for g in gold if words < set(_WORD.findall(g))]
    if len(holders) == 1:
        return gold[holders[0]]
    return None


def naive(lines: Sequence[str], limit: int) -> list[Entity]:
    """Every run of capitalised words, most frequent first."""
    counts: Counter[str] = Counter()
    for line in lines:
        for run in re.findall(r"\b[^\W\d_a-z][\w'\-.]*(?:\s+[^\W\d_a-z][\w'\-.]*)*", line):
            counts[run.strip(".")] += 1
    return [Entity(text=t, type="place", count=c) for t, c in counts.most_common(limit)]


def ours(lines: Sequence[str], limit: int) -> list[Entity]:
    return extract_entities(lines[1:], language="en", title=lines[0], limit=limit)


@dataclass
class Score:
    precision: float
    micro: float
    typed: float
    predicted: int


def score(
    docs: Sequence[Document], finder: Callable[[Sequence[str], int], list[Entity]], k: int
) -> Score:
    per_doc: list[float] = []
    right = predicted = typed = 0
    for doc in docs:
        entities = finder(doc.lines, k)[:k]
        if not entities:
            continue
        hits = 0
        for entity in entities:
            kinds = match(entity.text, doc.gold)
            if kinds is not None:
                hits += 1
                typed += entity.type in kinds
        per_doc.append(hits / len(entities))
        right += hits
        predicted += len(entities)
    return Score(
        precision=sum(per_doc) / max(1, len(per_doc)),
        micro=right / max(1, predicted),
        typed=typed / max(1, right),
        predicted=predicted,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None, help="first N documents only")
    parser.add_argument("--show", type=int, default=0, help="print the top 10 of N documents")
    args = parser.parse_args(argv)
    docs = load(args.data)[: args.limit]
    print(f"{args.data.name}: {len(docs)} documents")

    for doc in docs[: args.show]:
        print("\n" + doc.lines[0])
        for entity in ours(doc.lines, 10):
            kinds = match(entity.text, doc.gold)
            mark = "  " if kinds is None else ("ok" if entity.type in kinds else "T!")
            print(f"  {mark} {entity.type:12} {entity.count:3}  {entity.text}   {kinds or ''}")
        print("  gold:", sorted(doc.gold)[:25])

    rows = []
    for name, finder in (("precis", ours), ("naive", naive)):
        for k in (5, 10):
            s = score(docs, finder, k)
            rows.append(
                f"{name:7} @{k:<2}  precision {s.precision:.3f} (micro {s.micro:.3f})"
                f"  type accuracy {s.typed:.3f}  entities {s.predicted}"
            )
    print("\n".join(rows))

    started = time.perf_counter()
    for doc in docs:
        ours(doc.lines, 10)
    elapsed = time.perf_counter() - started
    words = sum(doc.words for doc in docs)
    print(
        f"speed: {1000 * elapsed / len(docs):.2f} ms per document, "
        f"{1000 * elapsed / words * 575:.2f} ms per 575 words"
    )
    news = args.data.parent / "cnndm.jsonl"
    if news.exists():
        _news_speed(news)
    return 0


def _news_speed(path: Path) -> None:
    """Time on running news prose (CoNLL is mostly short table lines)."""
    import json

    from bot.nlp.sentences import split_sentences
    from bot.nlp.tokens import count_words

    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    articles = [split_sentences(row["article"], "en") for row in rows]
    words = sum(count_words(row["article"]) for row in rows)
    started = time.perf_counter()
    for sentences in articles:
        extract_entities(sentences, language="en")
    elapsed = time.perf_counter() - started
    print(
        f"speed on {path.name}: {1000 * elapsed / len(articles):.2f} ms per article, "
        f"{1000 * elapsed / words * 575:.2f} ms per 575 words"
    )


if __name__ == "__main__":
    raise SystemExit(main())
