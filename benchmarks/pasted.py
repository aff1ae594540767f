"""A whole page pasted as text: how much of each summary comes from the article body.

    .venv/bin/python -m benchmarks.pasted [--data DIR] [--show N]

People copy a whole page (a browser's select-all + copy) and paste it; Discord
turns long pastes into `message.txt`. Each page of `extraction/*.html` is
rendered to plain text with inscriptis (what that copy gives: menus, cookie
notices, bylines and all), then summarized in 3 sentences by

- Précis: the text door as the bot runs it (`FileSource` named message.txt);
- Lead-3: the first three sentences of the pasted text, cut by our splitter
  (no cleaning), and Lead-3 of the text after our cleaner;
- sumy LexRank as sumy ships it (its PlaintextParser, a regex tokenizer, its
  stemmer and stop words), on the pasted text.

A summary sentence is "from the body" when at least 80 % of its word trigrams
occur in the true body of `truth.jsonl` (a sentence of under 3 words: all of
its words). Printed per system: the share of summary sentences from the body,
and the share of pages whose summary is entirely from the body (a page with no
summary counts as not clean), on the two halves of the set (sorted ids, even
and odd rows: decide on one, confirm on the other) and on all of it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.errors import PrecisError  # noqa: E402
from bot.ingest.files import decode_text  # noqa: E402
from bot.ingest.text import parse_text  # noqa: E402
from bot.nlp.language import detect_language  # noqa: E402
from bot.nlp.sentences import split_sentences  # noqa: E402
from bot.pipeline import FileSource, Options, summarize_local  # noqa: E402

SUMMARY_SENTENCES = 3
SHARE_NEEDED = 0.8
_WORD = re.compile(r"\w+")
_SUMY_LANGUAGES = {"en": "english", "fr": "french", "de": "german", "es": "spanish"}


@dataclass(frozen=True)
class Page:
    id: str
    text: str  # the page as pasted
    body: str  # the true article body


def render(html: str) -> str:
    """The page as a browser's select-all + copy gives it."""
    from inscriptis import get_text

    return get_text(html)


def load_pages(data: Path) -> list[Page]:
    pages = []
    with (data / "truth.jsonl").open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    for row in sorted(rows, key=lambda r: r["id"]):
        raw = (data / f"{row['id']}.html").read_bytes()
        pages.append(Page(row["id"], render(decode_text(raw, is_html=True)), row["body"]))
    return pages


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _trigrams(words: Sequence[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def from_body(sentence: str, body_words: set[str], body_trigrams: set[tuple[str, ...]]) -> bool:
    words = _words(sentence)
    if len(words) < 3:
        return bool(words) and all(word in body_words for word in words)
    grams = [tuple(words[i : i + 3]) for i in range(len(words) - 2)]
    return sum(gram in body_trigrams for gram in grams) >= SHARE_NEEDED * len(grams)


# --- the systems ------------------------------------------------------------


def precis(text: str) -> list[str]:
    source = FileSource(data=text.encode("utf-8"), name="message.txt", content_type="text/plain")
    _, summary = summarize_local(source, Options(sentences=SUMMARY_SENTENCES))
    return list(summary.summary)


def lead3_pasted(text: str) -> list[str]:
    return split_sentences(text, detect_language(text))[:SUMMARY_SENTENCES]


def lead3_cleaned(text: str) -> list[str]:
    body = parse_text(text).body
    return split_sentences(body, detect_language(body))[:SUMMARY_SENTENCES]


class _RegexTokenizer:
    def __init__(self, language: str) -> None:
        self.language = language

    def to_sentences(self, text: str) -> list[str]:
        return [s for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]

    def to_words(self, sentence: str) -> list[str]:
        return _WORD.findall(sentence)


def sumy_lexrank(text: str) -> list[str]:
    from sumy.nlp.stemmers import Stemmer
    from sumy.parsers.plaintext import PlaintextParser
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.utils import get_stop_words

    name = _SUMY_LANGUAGES.get(detect_language(text), "english")
    summarizer = LexRankSummarizer(Stemmer(name))
    summarizer.stop_words = get_stop_words(name)
    document = PlaintextParser.from_string(text, _RegexTokenizer(name)).document
    return [str(sentence) for sentence in summarizer(document, SUMMARY_SENTENCES)]


SYSTEMS: dict[str, Callable[[str], list[str]]] = {
    "precis": precis,
    "lead-3 (pasted text)": lead3_pasted,
    "lead-3 (our cleaner)": lead3_cleaned,
    "sumy lex-rank": sumy_lexrank,
}


# --- scoring ----------------------------------------------------------------


@dataclass
class Judged:
    page: Page
    sentences: list[tuple[str, bool]]

    @property
    def clean(self) -> bool:
        return bool(self.sentences) and all(ok for _, ok in self.sentences)


def judge(pages: Sequence[Page], system: Callable[[str], list[str]]) -> list[Judged]:
    judged = []
    for page in pages:
        body_words = _words(page.body)
        known, grams = set(body_words), _trigrams(body_words)
        try:
            chosen = system(page.text)
        except PrecisError:
            chosen = []
        judged.append(Judged(page, [(s, from_body(s, known, grams)) for s in chosen]))
    return judged


def figures(judged: Sequence[Judged]) -> tuple[float, float]:
    """(share of summary sentences from the body, share of pages entirely clean)."""
    verdicts = [ok for row in judged for _, ok in row.sentences]
    sentences = sum(verdicts) / max(1, len(verdicts))
    pages = sum(row.clean for row in judged) / max(1, len(judged))
    return sentences, pages


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared/eval/extraction")
    parser.add_argument("--show", type=int, default=0, help="print N failing Précis sentences")
    parser.add_argument("--systems", default=",".join(SYSTEMS))
    args = parser.parse_args(argv)
    pages = load_pages(args.data)
    print(f"{len(pages)} pages rendered with inscriptis; 3-sentence summaries;")
    print("body = share of summary sentences from the article body, clean = share of pages")
    print("whose summary is all body (A = even rows of the sorted ids, B = odd rows)\n")
    print(f"{'system':<22} {'A body':>7} {'A clean':>8} {'B body':>7} {'B clean':>8}"
          f" {'all body':>9} {'all clean':>10}")  # fmt: skip
    for name in args.systems.split(","):
        judged = judge(pages, SYSTEMS[name])
        cells = [figures(judged[0::2]), figures(judged[1::2]), figures(judged)]
        row = " ".join(f"{body:>7.3f} {clean:>8.3f}" for body, clean in cells[:2])
        print(f"{name:<22} {row} {cells[2][0]:>9.3f} {cells[2][1]:>10.3f}")
        if name == "precis" and args.show:
            _show(judged, args.show)
    print("\nthe cleaned text itself (every line the summarizer may choose from), precis:")
    print("lines = share of its words in lines from the body, kept = share of body words kept")
    cells = [cleaned_figures(pages[0::2]), cleaned_figures(pages[1::2]), cleaned_figures(pages)]
    print(f"{'cleaned text':<22} " + " ".join(f"{a:>7.3f} {b:>8.3f}" for a, b in cells[:2])
          + f" {cells[2][0]:>9.3f} {cells[2][1]:>10.3f}")  # fmt: skip
    return 0


def cleaned_figures(pages: Sequence[Page]) -> tuple[float, float]:
    """Per page, then averaged: the share of the cleaned text's words that stand in lines
    from the body (the same 80 % test per line), and the share of the body's words kept."""
    lines_share, kept_share = [], []
    for page in pages:
        try:
            text = parse_text(page.text).body
        except PrecisError:
            text = ""
        body_words = _words(page.body)
        known, grams = set(body_words), _trigrams(body_words)
        sized = [(len(_words(line)), from_body(line, known, grams)) for line in text.splitlines()]
        total = sum(size for size, _ in sized)
        lines_share.append(sum(size for size, ok in sized if ok) / max(1, total))
        kept = set(_words(text))
        kept_share.append(sum(word in kept for word in body_words) / max(1, len(body_words)))
    return sum(lines_share) / max(1, len(pages)), sum(kept_share) / max(1, len(pages))


def _show(judged: Sequence[Judged], limit: int) -> None:
    shown = 0
    for index, row in enumerate(judged):
        for sentence, ok in row.sentences:
            if not ok and shown < limit:
                half = "AB"[index % 2]
                print(f"   {half} {row.page.id[:8]} {sentence[:150]!r}")
                shown += 1
        if not row.sentences and shown < limit:
            print(f"   {'AB'[index % 2]} {row.page.id[:8]} (no summary)")
            shown += 1


if __name__ == "__main__":
    raise SystemExit(main())
