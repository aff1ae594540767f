"""Tokens and words of sentences, and the memo the pipeline reads them from."""

from __future__ import annotations

import pytest

from bot.nlp.tokens import count_words, sentence_tokens, sentence_words, words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("U.S.-led forces", ["U.S.", "-", "led", "forces"]),
        ("Les EE. UU. et l'Irak.", ["Les", "EE. UU.", "et", "l'Irak", "."]),
        ("R&D, rock'n'roll…", ["R", "&", "D", ",", "rock'n'roll", "…"]),
    ],
)
def test_tokens(text: str, expected: list[str]) -> None:
    assert sentence_tokens(text) == tuple(expected)


def test_sentence_words_are_words_and_cannot_be_changed() -> None:
    sentence = "Aujourd'hui, les anti-américains d’Irak ont 3 raisons."
    assert sentence_words(sentence) == tuple(words(sentence))
    assert sentence_words(sentence) is sentence_words(sentence)  # remembered
    assert isinstance(sentence_words(sentence), tuple)
    assert count_words(sentence) == 7


TRICKY = [
    "U.S.-based e.g. A.B.C x.y.z-abc EE. UU. EE.UU 3.5 l'Irak d’Irak rock'n'roll",
    "_snake_case__ 1,000.50 £30m ¾ Ⅻ ٣ 中文 日本語. «Bonjour» — dit-il… (U.S.A.)",
    "J.K. Rowling, M.Macron, ONU.A, www.Site.Com, R&D; 'quoted' ‘curly’ -dash- --",
]


def test_words_read_off_the_tokens_are_the_words_of_every_dev_sentence() -> None:
    """`sentence_words` scans once for tokens and reads the words off them; it
    must find exactly what the word pattern finds, on real and odd text."""
    from bot.ingest.text import parse_text
    from bot.nlp.sentences import split_sentences
    from bot.nlp.tokens import forget_sentences
    from tests.test_pipeline import _rows

    sentences = list(TRICKY)
    for row in _rows():
        sentences += split_sentences(parse_text(row["article"]).body, row["language"])
    assert len(sentences) > 5000
    forget_sentences()
    for sentence in sentences:
        assert sentence_words(sentence) == tuple(words(sentence)), sentence
