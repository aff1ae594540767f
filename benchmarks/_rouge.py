"""ROUGE as the project scores it (see the eval README).

`rouge-score` with a tokenizer that lowercases, keeps Unicode word characters
(`\\w+`) and applies the Snowball stemmer of the row's language: the stock
tokenizer keeps only [a-z0-9], which throws away every accented French word.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from rouge_score import rouge_scorer

from bot.nlp.stemming import stemmer_for

ROUGE_TYPES = ("rouge1", "rouge2", "rougeLsum")
_WORD = re.compile(r"\w+", re.UNICODE)


class SnowballTokenizer:
    """rouge-score calls `tokenize(text)`; nothing else is needed."""

    def __init__(self, language: str) -> None:
        self._stem = stemmer_for(language)

    def tokenize(self, text: str) -> list[str]:
        stem = self._stem
        return [stem(w) for w in _WORD.findall(text.lower())]


@cache
def scorer_for(language: str) -> rouge_scorer.RougeScorer:
    return rouge_scorer.RougeScorer(list(ROUGE_TYPES), tokenizer=SnowballTokenizer(language))


def rouge(summary: Sequence[str], reference: Sequence[str], language: str) -> dict[str, float]:
    """F1 × 100 of ROUGE-1, ROUGE-2 and ROUGE-Lsum; one sentence a line for Lsum."""
    scores = scorer_for(language).score("\n".join(reference), "\n".join(summary))
    return {name: 100.0 * scores[name].fmeasure for name in ROUGE_TYPES}
