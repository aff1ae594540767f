"""Tokens and words of sentences, and the memo the pipeline reads them from."""

from __future__ import annotations

import pytest

from bot.nlp.tokens import count_words, sentence_words, tokens, words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("U.S.-led forces", ["U.S.", "-", "led", "forces"]),
        ("Les EE. UU. et l'Irak.", ["Les", "EE. UU.", "et", "l'Irak", "."]),
        ("R&D, rock'n'roll…", ["R", "&", "D", ",", "rock'n'roll", "…"]),
    ],
)
def test_tokens(text: str, expected: list[str]) -> None:
    assert tokens(text) == expected


def test_sentence_words_are_words_and_cannot_be_changed() -> None:
    sentence = "Aujourd'hui, les anti-américains d’Irak ont 3 raisons."
    assert sentence_words(sentence) == tuple(words(sentence))
    assert sentence_words(sentence) is sentence_words(sentence)  # remembered
    assert isinstance(sentence_words(sentence), tuple)
    assert count_words(sentence) == 7
