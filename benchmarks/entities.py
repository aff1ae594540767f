"""Key-entity precision and typing per language: CoNLL-2003 (English test
set) and the development sets of tests/data/ner/ (de, ru, es, nl).

    .venv/bin/python -m benchmarks.entities [--data PATH ...] [--limit N] [--show N]

`--data` takes CoNLL-2003 files (.conllu, English) or documents made by
`benchmarks.ner_data` (.jsonl, any language). Every set is scored as a
whole and in two halves (A: its first half of documents, B: the second):
rules are decided on half A and confirmed on half B.

Each document is detokenized (one sentence per line, usual spacing around
punctuation); its first line, the headline, is passed as the title and the
rest as sentences to `extract_entities`, as the pipeline does with an article.

Scoring, for the top k (5 and 10) entities of each document:
- precision: a predicted entity is right when its text equals the text of a
  gold entity of the document (case-insensitive, so "JAPAN" in a headline
  equals "Japan"; in German and Russian word by word on Snowball stems, one
  the start of the other, so "Юрий Лужков" equals the gold "Юрия Лужкова"),
  or when its words are a proper subset of the words of exactly one distinct
  gold entity string (the surname "Takagi" of the gold
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
    lines: list[str]  # detokenized sentences; the first is the headline if `titled`
    gold: dict[str, set[str]]  # casefolded entity text -> our type names
    words: int
    language: str = "en"
    titled: bool = True


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
_STEMMED = frozenset({"de", "ru", "uk"})  # inflected names: "Юрия Лужкова" is "Юрий Лужков"
# Snowball has no Ukrainian: a word's last vowel or soft sign goes ("сімферополя",
# "сімферополь" -> "сімферопол"), and `_same` takes one the start of the other.
_UK_ENDING = re.compile(r"(?<=\w{3})(?:ого|ому|ою|ею|ів|їв|ам|ям|ах|ях|ий|ій|ої|[аяуюіїиеєоьй])$")


def load_jsonl(path: Path) -> list[Document]:
    """Documents written by `benchmarks.ner_data`."""
    import json

    docs = []
    for row in path.read_text(encoding="utf-8").splitlines():
        if not row.strip():
            continue
        d = json.loads(row)
        lines = ([d["title"]] if d.get("title") else []) + d["lines"]
        gold = {k: set(v) for k, v in d["gold"].items()}
        words = sum(len(_WORD.findall(line)) for line in lines)
        docs.append(Document(lines, gold, words, d["language"], bool(d.get("title"))))
    return docs


def _words(text: str, language: str) -> tuple[str, ...]:
    found = _WORD.findall(text.casefold())
    if language not in _STEMMED:
        return tuple(found)
    if language == "uk":
        return tuple(_UK_ENDING.sub("", w) for w in found)
    from bot.nlp.stemming import stemmer_for

    stem = stemmer_for(language)
    return tuple(stem(w) for w in found)


def _same(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Word by word, one stem the start of the other ("лужк", "лужков")."""
    return len(a) == len(b) and all(
        x == y or (min(len(x), len(y)) >= 3 and (x.startswith(y) or y.startswith(x)))
        for x, y in zip(a, b, strict=True)
    )


def _within(words: tuple[str, ...], longer: tuple[str, ...], language: str) -> bool:
    """`words` are fewer than, and each one of, the words of `longer`."""
    if language not in _STEMMED:
        return set(words) < set(longer)
    return len(set(words)) < len(set(longer)) and all(
        any(_same((w,), (x,)) for x in longer) for w in words
    )


def match(text: str, gold: dict[str, set[str]], language: str = "en") -> set[str] | None:
    """The gold types of the entity `text` stands for, or None (see module doc)."""
    folded = text.casefold()
    if folded in gold:
        return gold[folded]
    words = _words(folded, language)
    if not words:
        return None
    if language in _STEMMED:
        kinds = [gold[g] for g in gold if _same(_words(g, language), words)]
        if kinds:
            return set().union(*kinds)
    holders = {
        words_of: g for g in gold if _within(words, words_of := _words(g, language), language)
    }
    if len({frozenset(h) for h in holders}) == 1:
        return set().union(*(gold[g] for g in holders.values()))
    return None


def naive(doc: Document, limit: int) -> list[Entity]:
    """Every run of capitalised words, most frequent first."""
    counts: Counter[str] = Counter()
    for line in doc.lines:
        run: list[str] = []
        for word in [*line.split(), ""]:
            core = word.strip(".,;:!?\"'()«»“”„")
            if core[:1].isupper():
                run.append(core)
                if core == word:
                    continue  # punctuation ends the run
            if run:
                counts[" ".join(run)] += 1
                run = []
    return [Entity(text=t, type="place", count=c) for t, c in counts.most_common(limit)]


def ours(doc: Document, limit: int) -> list[Entity]:
    if doc.titled:
        return extract_entities(
            doc.lines[1:], language=doc.language, title=doc.lines[0], limit=limit
        )
    return extract_entities(doc.lines, language=doc.language, limit=limit)


@dataclass
class Score:
    precision: float
    micro: float
    typed: float
    predicted: int


def score(
    docs: Sequence[Document], finder: Callable[[Document, int], list[Entity]], k: int
) -> Score:
    per_doc: list[float] = []
    right = predicted = typed = 0
    for doc in docs:
        entities = finder(doc, k)[:k]
        if not entities:
            continue
        hits = 0
        for entity in entities:
            kinds = match(entity.text, doc.gold, doc.language)
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


def show(docs: Sequence[Document], n: int) -> None:
    """The top 10 of the first `n` documents, each marked right, wrongly typed or wrong."""
    for doc in docs[:n]:
        print("\n" + doc.lines[0][:100])
        for entity in ours(doc, 10):
            kinds = match(entity.text, doc.gold, doc.language)
            mark = "  " if kinds is None else ("ok" if entity.type in kinds else "T!")
            print(f"  {mark} {entity.type:12} {entity.count:3}  {entity.text}   {kinds or ''}")
        print("  gold:", sorted(doc.gold)[:25])


def report(name: str, docs: Sequence[Document], ks: Sequence[int]) -> None:
    """Precision and type accuracy of ours and the naive baseline, whole and by halves."""
    half = len(docs) // 2
    parts = (("all", docs), ("A", docs[:half]), ("B", docs[half:]))
    for finder_name, finder in (("precis", ours), ("naive", naive)):
        for k in ks:
            cells = []
            for part, subset in parts:
                s = score(subset, finder, k)
                cells.append(f"{part} {s.precision:.3f}/{s.typed:.3f}")
            print(f"{name:10} {finder_name:7} @{k:<2}  P/type  " + "   ".join(cells))


def default_data() -> list[Path]:
    found = [DEFAULT_DATA] if DEFAULT_DATA.exists() else []
    return found + sorted((ROOT / "tests" / "data" / "ner").glob("*-dev.jsonl"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, nargs="*", default=None)
    parser.add_argument("--limit", type=int, default=None, help="first N documents only")
    parser.add_argument("--show", type=int, default=0, help="print the top 10 of N documents")
    parser.add_argument("--half", choices=("A", "B"), default=None, help="show one half only")
    args = parser.parse_args(argv)
    for path in args.data or default_data():
        docs = (load_jsonl(path) if path.suffix == ".jsonl" else load(path))[: args.limit]
        language = docs[0].language if docs else "?"
        print(f"{path.name} ({language}): {len(docs)} documents")
        half = len(docs) // 2
        shown = {"A": docs[:half], "B": docs[half:], None: docs}[args.half]
        show(shown, args.show)
        report(f"{language}", docs, (5, 10) if path.suffix != ".jsonl" else (5,))
        _speed(docs)
    news = DEFAULT_DATA.parent / "cnndm.jsonl"
    if news.exists() and args.data is None:
        _news_speed(news)
    return 0


def _speed(docs: Sequence[Document]) -> None:
    started = time.perf_counter()
    for doc in docs:
        ours(doc, 10)
    elapsed = time.perf_counter() - started
    words = sum(doc.words for doc in docs)
    print(
        f"speed: {1000 * elapsed / max(1, len(docs)):.2f} ms per document, "
        f"{1000 * elapsed / max(1, words) * 575:.2f} ms per 575 words"
    )


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
