"""Extractive summaries: pick the article's most telling sentences, verbatim.

Every algorithm is a sumy summarizer run on sumy's document model, which we
build ourselves from sentences our splitter found (sumy's own parser needs
NLTK data we do not have), with our tokenizer, PyStemmer stems and sumy's
stop-word lists. "precis", the default, is our own summarizer
(`bot.nlp.precis_summarizer`, its ranking in `bot.nlp.coverage`); "lead" is
the newsroom baseline (the first sentences). The rest are sumy's stock
algorithms, selectable by name for comparison.

A summary is always made of input sentences, whole and unchanged, in article
order, without repeats, and has exactly `count` sentences when the article
has that many distinct ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import numpy as np
from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
from sumy.summarizers._summarizer import AbstractSummarizer
from sumy.summarizers.edmundson import EdmundsonSummarizer
from sumy.summarizers.kl import KLSummarizer
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.lsa import LsaSummarizer
from sumy.summarizers.luhn import LuhnSummarizer
from sumy.summarizers.random import RandomSummarizer
from sumy.summarizers.reduction import ReductionSummarizer
from sumy.summarizers.sum_basic import SumBasicSummarizer
from sumy.summarizers.text_rank import TextRankSummarizer

from bot.nlp.precis_summarizer import PrecisSummarizer
from bot.nlp.sentences import Tokenizer
from bot.nlp.stemming import stemmer_for, stop_words_for
from bot.nlp.tokens import UNSPACED_CHARACTERS, words
from bot.options import DEFAULT_ALGORITHM


class LeadSummarizer(AbstractSummarizer):
    """The first sentences: what an editor's lede already says."""

    def __call__(self, document: Any, sentences_count: int) -> tuple[Any, ...]:
        return tuple(document.sentences[:sentences_count])


# Words that mark a sentence as page furniture rather than news (Edmundson's
# "stigma" words). sumy refuses an empty set, so unknown languages get one
# that matches nothing.
_STIGMA = {
    "en": "click here subscribe newsletter share photo picture pictured video scroll "
    "advertisement copyright caption credit",
    "fr": "cliquez abonnez newsletter partager photo vidéo publicité copyright crédit lire aussi",
}
_NOTHING = frozenset({"\x00"})


def _stop_words_setter(cls: type[AbstractSummarizer]) -> Callable[..., AbstractSummarizer]:
    def build(language: str, title: str | None, sentences: Sequence[str]) -> AbstractSummarizer:
        summarizer = cls(stemmer_for(language))
        summarizer.stop_words = stop_words_for(language)  # type: ignore[attr-defined]
        return summarizer

    return build


def _plain(cls: type[AbstractSummarizer]) -> Callable[..., AbstractSummarizer]:
    def build(language: str, title: str | None, sentences: Sequence[str]) -> AbstractSummarizer:
        return cls(stemmer_for(language))

    return build


def _edmundson(language: str, title: str | None, sentences: Sequence[str]) -> AbstractSummarizer:
    stem = stemmer_for(language)
    stop = stop_words_for(language)
    summarizer = EdmundsonSummarizer(stem)
    # Bonus words: the title's content words, else the article's most frequent
    # content words (Edmundson's "key" idea); stigma words: page furniture;
    # null words: stop words.
    bonus = [w.lower() for w in words(title or "") if w.lower() not in stop]
    if not bonus:
        counts: dict[str, int] = {}
        for sentence in sentences:
            for w in words(sentence):
                lw = w.lower()
                if lw not in stop and not lw.isdigit():
                    counts[lw] = counts.get(lw, 0) + 1
        bonus = sorted(counts, key=counts.__getitem__, reverse=True)[:10]
    summarizer.bonus_words = bonus or _NOTHING
    summarizer.stigma_words = _STIGMA.get(language, "").split() or _NOTHING
    summarizer.null_words = stop or _NOTHING
    return summarizer


def _precis(language: str, title: str | None, sentences: Sequence[str]) -> AbstractSummarizer:
    return _precis_for(language)


@cache
def _precis_for(language: str) -> PrecisSummarizer:
    # One per language: building one copies its stop words into a new set
    # (30 µs for English's 580), and a summary reads it without changing it,
    # so executor threads can share it.
    return PrecisSummarizer(
        stemmer_for(language),
        stop_words=stop_words_for(language),
        pair_characters=language in UNSPACED_CHARACTERS,
    )


Builder = Callable[[str, str | None, Sequence[str]], AbstractSummarizer]

# name -> builder(language, title, sentences). Stock sumy algorithms keep sumy's
# names (hyphenated like its command line).
ALGORITHMS: dict[str, Builder] = {
    "precis": _precis,
    "lead": _plain(LeadSummarizer),
    "lsa": _stop_words_setter(LsaSummarizer),
    "luhn": _stop_words_setter(LuhnSummarizer),
    "edmundson": _edmundson,
    "lex-rank": _stop_words_setter(LexRankSummarizer),
    "text-rank": _stop_words_setter(TextRankSummarizer),
    "sum-basic": _stop_words_setter(SumBasicSummarizer),
    "kl": _stop_words_setter(KLSummarizer),
    "reduction": _stop_words_setter(ReductionSummarizer),
    "random": _plain(RandomSummarizer),
}


def build_document(
    sentences: Sequence[str], language: str, title: str | None = None
) -> ObjectDocumentModel:
    """sumy's document model of already-split sentences (one paragraph).

    The title, when given, is the paragraph's heading: sumy's algorithms that
    look at headings (Edmundson) see it, and none of them can pick it.
    """
    tokenizer = Tokenizer(language)
    items = [Sentence(s, tokenizer) for s in sentences]
    if title and title.strip():
        items.insert(0, Sentence(title, tokenizer, is_heading=True))
    return ObjectDocumentModel([Paragraph(items)])


def _distinct(sentences: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    unique: list[str] = []
    for sentence in sentences:
        key = sentence.strip()
        if key and key not in seen:
            seen.add(key)
            unique.append(sentence)
    return unique


def summarize_sentences(
    sentences: Sequence[str],
    *,
    language: str,
    count: int,
    algorithm: str = DEFAULT_ALGORITHM,
    title: str | None = None,
) -> list[str]:
    """`count` of `sentences`, chosen by `algorithm`, in article order and verbatim."""
    try:
        build = ALGORITHMS[algorithm]
    except KeyError:
        raise ValueError(
            f"Unknown summary algorithm {algorithm!r}; choose one of: {', '.join(ALGORITHMS)}."
        ) from None
    if count < 1:
        raise ValueError(f"A summary needs at least one sentence, not {count}.")
    unique = _distinct(sentences)
    if count >= len(unique):
        return unique
    document = build_document(unique, language, title)
    summarizer = build(language, title, unique)
    # Stock algorithms divide by zero on sentences without content words
    # (LexRank, TextRank); they still return an answer, so keep the log quiet.
    with np.errstate(divide="ignore", invalid="ignore"):
        chosen = summarizer(document, count)
    order = {sentence: i for i, sentence in enumerate(document.sentences)}
    picked = sorted({order[s] for s in chosen})[:count]
    if len(picked) < count:
        # Some algorithms return fewer sentences than asked (LSA keeps no more
        # than its number of topics): top up with the earliest ones left.
        taken = set(picked)
        extra = [i for i in range(len(unique)) if i not in taken][: count - len(picked)]
        picked = sorted(picked + extra)
    return [unique[i] for i in picked]
