"""Précis's ranking: position-aware concept coverage for news.

`bot.nlp.precis_summarizer` plugs it into sumy beside the stock algorithms
(same document model, same call: `summarizer(document, count)`); it lives
here, apart from sumy's classes, so that mypyc can compile it (setup.py).

News is written as an inverted pyramid: the lede states the story and later
sentences come back to its people, places and facts. So:

- a *concept* is a content-word stem (stop words, digits and one-letter
  tokens left out), or in Chinese and Japanese, whose words are not
  spaced and which `bot.nlp.tokens` reads one character at a time, a pair
  of neighbouring characters (most of their words are two characters long);
  it weighs as many sentences as repeat it, twice that
  when the title names it. Concepts that occur in one sentence only weigh
  nothing: they are detail, not the story.
- a sentence's value is the weight of the concepts it would add to the
  summary *per word*: dense, on-topic sentences beat long ones that carry
  the same facts among asides, and a concept already covered adds nothing,
  so the summary does not repeat itself (the greedy coverage of Gillick &
  Favre's concept model, and of SumBasic);
- a position prior keeps the lede in front, as every news summarizer finds
  (Lead-3 is the baseline to beat);
- sentences that do not read as statements of the news count less: very
  short fragments ("Sortez les brumisateurs."), run-ons (picture captions
  glued to the text by scrapers), quotations (bare ones most, then those
  that open with the quote, '"…", a-t-il dit.', or open a quote that runs
  on into the next sentence), and page furniture such as "Scroll down for
  video" or "Click here".

Measured and left out (no gain on both halves of both dev sets, see
benchmarks/quality.py --halves): PacSum-style directed centrality, MMR on
top of the coverage, similarity to the first sentence or to the centroid,
bigram concepts, a word budget for the last pick, penalties for anaphoric
starts, questions or first-person speech, and a full French stop-word list
(sumy's is short; completing it lowers French ROUGE with these knobs).

Sentences are picked one at a time, each time re-scoring the rest against
the concepts still uncovered: a few passes over each sentence's concepts,
well under a millisecond for a news article.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from bot.nlp.tokens import words as _words


@dataclass(frozen=True)
class Weights:
    """The knobs, set by measurement on the dev sets (see benchmarks/quality.py)."""

    # concept weight = (number of sentences that have it) ** df_power
    df_power: float = 1.0
    min_df: int = 2  # concepts in fewer sentences weigh nothing
    title_boost: float = 1.0  # concepts in the title weigh (1 + title_boost) times more
    # position prior = 1 / (1 + decay * sentence index)
    decay: float = 0.5
    # gain per word ** length_power: 1 = pure density
    length_power: float = 1.0
    floor: float = 0.05  # added to every gain so ties and all-zero gains fall back to position
    ideal_words: tuple[int, int] = (15, 40)  # no length penalty inside this range
    bare_quote: float = 0.5  # multiplier for a sentence that is only a quotation
    has_quote: float = 0.9  # multiplier for a sentence that quotes someone
    # ... and again when it opens with the quotation ('"…", a-t-il dit.', or the
    # first sentence of a quotation that goes on in the next one)
    opens_quote: float = 0.8
    residue: float = 0.1  # multiplier for page furniture
    # multiplier for what is not a sentence: a heading, a menu, a byline (no closing
    # punctuation), or a fragment that starts in lowercase where the article's
    # sentences start with a capital (the tail of a quotation's attribution)
    not_a_sentence: float = 0.0


DEFAULT_WEIGHTS = Weights()

# Page furniture the cleaner may have left inside the body text: at the
# start of a sentence, or a link text anywhere in it. Two patterns, because
# one pattern with an unanchored branch is tried at every position.
_RESIDUE_START = re.compile(
    r"scroll down|click here|read more|follow (?:us|@)|share (?:this|on)\b|sign up|"
    r"subscribe|published:|updated:|by \.|photo:|video:|lire aussi|à lire aussi|"
    r"voir aussi|cliquez|abonnez-vous",
    re.IGNORECASE,
)
_RESIDUE_ANYWHERE = re.compile(r"\b(?:click here|cliquez ici)\b", re.IGNORECASE)
# A case-blind search runs the pattern at every position of every sentence;
# most sentences have neither phrase, which plain substring tests on the
# lowercased text settle far faster.
_RESIDUE_PHRASES = ("click here", "cliquez ici")
_OPEN_QUOTES = "\"'“‘«„"
_CLOSE_QUOTES = "\"'”’»“"
_QUOTE_MARK = re.compile('["“”«»„]')
_OPENING_MARKS = '"“«„'
_CONCEPT_CACHE_LIMIT = 200_000
# How a sentence ends: its punctuation, then closing quotes or brackets.
_SENTENCE_END = re.compile(r"[.!?…:;。！？][\"'”’»«“)\]」』]*\s*$")
# The first letter or digit, past opening quotes, brackets and dashes.
_FIRST_LETTER = re.compile(r"[^\W_]")
_LETTER_WORD = re.compile(r"[^\W\d_]+")


class _ConceptCache(dict[str, str | None]):
    """token -> `PrecisSummarizer._concept(token)`, filled on first sight: most
    words of an article have been seen before, and then cost one dict lookup.
    Bounded so a stream of odd tokens cannot grow memory without limit."""

    def __init__(self, concept: Callable[[str], str | None]) -> None:
        super().__init__()
        self._concept = concept

    def __missing__(self, token: str) -> str | None:
        result = self._concept(token)
        if len(self) >= _CONCEPT_CACHE_LIMIT:
            self.clear()
        self[token] = result
        return result


def _character_pairs(tokens: Iterable[str]) -> list[str]:
    """Each pair of neighbouring one-character words of a script written without
    spaces (Han, kana): "聯合國" gives "聯合" and "合國"."""
    pairs: list[str] = []
    previous = ""
    for token in tokens:
        if len(token) == 1 and token >= "\u3005":
            if previous:
                pairs.append(previous + token)
            previous = token
        else:
            previous = ""
    return pairs


def _residue_inside(text: str) -> bool:
    """A link text such as "click here" anywhere in the sentence."""
    low = text.lower()
    if not any(phrase in low for phrase in _RESIDUE_PHRASES):
        return False
    return _RESIDUE_ANYWHERE.search(text) is not None


def _is_bare_quote(text: str) -> bool:
    """A quotation with nobody saying it ("'We will win.'")."""
    return len(text) > 2 and text[0] in _OPEN_QUOTES and text.rstrip(".!?…")[-1:] in _CLOSE_QUOTES


def _is_sentence(text: str, capitalised: bool) -> bool:
    """Whether `text` reads as a sentence: it ends as one, and where the article's
    sentences start with a capital it does too, and has a word that does not (a time
    stamp, "06:58 EST, 26 September 2013 .", or a heading in Title Case has none)."""
    if not _SENTENCE_END.search(text):
        return False
    if not capitalised:
        return True
    first = _FIRST_LETTER.search(text)
    if first is not None and first.group().islower():
        return False
    words = False
    for word in _LETTER_WORD.finditer(text):
        if not word.group()[0].isupper():  # lowercase, or a script without case
            return True
        words = True
    return not words  # "2-1." is not a heading


def _capitalised(texts: Sequence[str]) -> bool:
    """Whether most of the article's sentences start with a capital letter."""
    upper = lower = 0
    for text in texts:
        first = _FIRST_LETTER.search(text)
        if first is not None:
            if first.group().isupper():
                upper += 1
            elif first.group().islower():
                lower += 1
    return upper > lower


class Coverage:
    """Picks sentences by position-aware concept coverage; see the module docstring."""

    def __init__(
        self,
        stemmer: Callable[[str], str],
        stop_words: Iterable[str] = (),
        weights: Weights = DEFAULT_WEIGHTS,
        *,
        pair_characters: bool = False,
    ) -> None:
        self._stemmer = stemmer
        self._stop = frozenset(w.lower() for w in stop_words)
        self.weights = weights
        self._concept_of = _ConceptCache(self._concept)
        self._pair_characters = pair_characters

    @property
    def stop_words(self) -> frozenset[str]:
        return self._stop

    def _concepts(self, tokens: Iterable[str]) -> list[str]:
        found = [c for c in map(self._concept_of.__getitem__, tokens) if c is not None]
        if self._pair_characters:
            found += _character_pairs(tokens)
        return found

    def _concept(self, token: str) -> str | None:
        """The stem of a content word; None for a stop word, a number, one letter."""
        word = token.lower()
        if len(word) < 2 or word in self._stop or word.isdigit():
            return None
        stemmed = self._stemmer(word)
        return None if stemmed in self._stop else stemmed

    def quality(self, text: str, n_words: int) -> float:
        """A multiplier in (0, 1]: how much the sentence reads like news prose."""
        w = self.weights
        low, high = w.ideal_words
        factor = 1.0
        if n_words < low:
            factor = max(n_words, 1) / low
        elif n_words > high:
            factor = high / n_words
        if _RESIDUE_START.match(text) or _residue_inside(text):
            factor *= w.residue
        if _is_bare_quote(text):
            factor *= w.bare_quote
        elif _QUOTE_MARK.search(text):
            factor *= w.has_quote
            if text[:1] in _OPENING_MARKS:
                factor *= w.opens_quote
        return factor

    def choose(
        self,
        sentence_words: Sequence[Sequence[str]],
        count: int,
        *,
        title: str = "",
        texts: Sequence[str] | None = None,
    ) -> list[int]:
        """Indices of the `count` sentences to keep, in the order they were picked."""
        w = self.weights
        n = len(sentence_words)
        if count >= n:
            return list(range(n))
        if texts is None:
            texts = [" ".join(ws) for ws in sentence_words]
        vocab, concepts_of = self._number_concepts(sentence_words)
        lengths = [float(max(len(ws), 1)) for ws in sentence_words]
        weight = self._concept_weights(vocab, concepts_of, lengths, title)
        damping = [length**w.length_power for length in lengths]
        bias = self._bias(texts, sentence_words)
        return _pick(concepts_of, weight, damping, bias, count, w.floor)

    def _number_concepts(
        self, sentence_words: Sequence[Sequence[str]]
    ) -> tuple[dict[str, int], list[list[int]]]:
        """Each sentence's distinct concepts as numbers, numbered in order of first
        sight, and the numbering. Plain lists and loops: mypyc compiles them to C,
        which beats numpy's per-call cost on arrays of a few hundred entries."""
        vocab: dict[str, int] = {}
        concepts_of: list[list[int]] = []
        for tokens in sentence_words:
            ids: list[int] = []
            for concept in dict.fromkeys(self._concepts(tokens)):
                index = vocab.get(concept)
                if index is None:
                    index = vocab[concept] = len(vocab)
                ids.append(index)
            concepts_of.append(ids)
        return vocab, concepts_of

    def _concept_weights(
        self,
        vocab: dict[str, int],
        concepts_of: list[list[int]],
        lengths: list[float],
        title: str,
    ) -> list[float]:
        """Each concept's weight: the number of sentences that have it (boosted when
        the title names it), scaled so that a gain of 1 is an average word."""
        w = self.weights
        df = [0] * len(vocab)
        for ids in concepts_of:
            for index in ids:
                df[index] += 1
        weight = [0.0 if d < w.min_df else float(d) ** w.df_power for d in df]
        if title and w.title_boost:
            for concept in set(self._concepts(_words(title))):
                if concept in vocab:
                    weight[vocab[concept]] *= 1.0 + w.title_boost
        # Scale so that a gain of 1 is an average word of the article.
        scale = sum(weight, 0.0) / sum(lengths, 0.0)
        if scale > 0:
            weight = [x / scale for x in weight]
        return weight

    def _bias(self, texts: Sequence[str], sentence_words: Sequence[Sequence[str]]) -> list[float]:
        """Each sentence's position prior times its quality."""
        w = self.weights
        capitalised = _capitalised(texts)
        return [
            (1.0 / (1.0 + w.decay * i))  # position prior
            * self.quality(text, len(ws))
            * (w.not_a_sentence if not _is_sentence(text, capitalised) else 1.0)
            for i, (text, ws) in enumerate(zip(texts, sentence_words, strict=True))
        ]


def _pick(
    concepts_of: list[list[int]],
    weight: list[float],
    damping: list[float],
    bias: list[float],
    count: int,
    floor: float,
) -> list[int]:
    """Greedy coverage: `count` times, the sentence whose uncovered concepts are worth
    most; its concepts then weigh nothing (`weight` is updated in place)."""
    n = len(concepts_of)
    available = [True] * n
    chosen: list[int] = []
    for _ in range(count):
        best, best_value = -1, -math.inf
        for i in range(n):
            if not available[i]:
                continue
            gain = 0.0
            for index in concepts_of[i]:
                gain += weight[index]
            value = (gain / damping[i] + floor) * bias[i]
            if value > best_value:
                best, best_value = i, value
        chosen.append(best)
        available[best] = False
        for index in concepts_of[best]:
            weight[index] = 0.0  # covered concepts add nothing more
    return chosen
