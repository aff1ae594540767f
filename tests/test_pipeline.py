"""`bot.pipeline.analyse` on the dev sets: the statistics every post shows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.errors import NotAnArticle
from bot.ingest.text import parse_text
from bot.nlp.tokens import count_words
from bot.pipeline import MIN_ARTICLE_WORDS, analyse

EVAL = Path(__file__).resolve().parent / "data" / "eval"


def _rows() -> list[dict[str, str]]:
    rows = []
    for name in ("cnndm.jsonl", "orangesum.jsonl"):
        with (EVAL / name).open(encoding="utf-8") as handle:
            rows += [json.loads(line) for line in handle if line.strip()]
    return rows


def test_word_counts_are_those_of_the_text() -> None:
    """The engine counts words from the sentences it already tokenized; the
    figures must still be those of the article and of the summary."""
    rows = _rows()
    assert len(rows) > 100
    for row in rows:
        article = parse_text(row["article"])
        summary = analyse(article)
        assert summary.stats.words == count_words(article.body), row["id"]
        assert summary.stats.summary_words == sum(count_words(s) for s in summary.summary)
        assert summary.stats.reduction == round(
            1 - summary.stats.summary_words / summary.stats.words, 4
        )


@pytest.mark.parametrize("words", [0, 1, MIN_ARTICLE_WORDS - 1])
def test_too_few_words_is_no_article(words: int) -> None:
    # Long words, so the text is longer than the prefix the quick check reads.
    text = " ".join(["Extraordinairement" + "e" * 40] * words) + " " + "… " * 300
    unit = "word" if words == 1 else "words"
    with pytest.raises(NotAnArticle, match=f"too short to summarize \\({words} {unit}\\)"):
        analyse(parse_text(text))


def test_just_enough_words_is_an_article() -> None:
    text = " ".join(["Extraordinairement" + "e" * 40] * (MIN_ARTICLE_WORDS - 1)) + " fin."
    assert analyse(parse_text(text)).stats.words == MIN_ARTICLE_WORDS
