"""Précis, the default summarizer, as a sumy summarizer class.

It plugs into sumy beside the stock algorithms (same document model, same
call: `summarizer(document, count)`); the ranking itself is
`bot.nlp.coverage` (position-aware concept coverage), kept apart from sumy's
interpreted classes so that it can be compiled.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sumy.summarizers._summarizer import AbstractSummarizer

from bot.nlp.coverage import DEFAULT_WEIGHTS, Coverage, Weights

__all__ = ["DEFAULT_WEIGHTS", "PrecisSummarizer", "Weights"]


class PrecisSummarizer(AbstractSummarizer):
    """Position-aware concept coverage (`bot.nlp.coverage`) on sumy's document model."""

    def __init__(
        self,
        stemmer: Callable[[str], str],
        *,
        stop_words: Iterable[str] = (),
        weights: Weights = DEFAULT_WEIGHTS,
        pair_characters: bool = False,
    ) -> None:
        super().__init__(stemmer)
        self._weights = weights
        self._pair_characters = pair_characters
        self.stop_words = stop_words

    @property
    def stop_words(self) -> frozenset[str]:
        return self._ranker.stop_words

    @stop_words.setter
    def stop_words(self, words: Iterable[str]) -> None:
        self._ranker = Coverage(
            self._stemmer, words, self._weights, pair_characters=self._pair_characters
        )

    def __call__(self, document: Any, sentences_count: int) -> tuple[Any, ...]:
        sentences = document.sentences
        if not sentences:
            return ()
        title = " ".join(str(h) for h in document.headings)
        chosen = self._ranker.choose(
            [s.words for s in sentences],
            sentences_count,
            title=title,
            texts=[str(s) for s in sentences],
        )
        return tuple(sentences[i] for i in sorted(chosen))
