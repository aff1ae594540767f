"""Mentions of names in an article's sentences, and the groups they merge into.

A candidate span, trimmed to its name, is a mention only when the text itself
says it is a name (see `bot.nlp.entity_vocabulary`), and:

- German capitalises every noun, so there a lone capitalised word needs more
  evidence (a gazetteer, a title, a first name, an acronym, a longer name);
- ALL-CAPS and Title-Case lines (headlines, sports tables) add mentions only
  of words already known from ordinary sentences or from the gazetteers.

Each mention carries its votes for a type from its context: titles and roles
before it ("Mr", "président", "striker"), place prepositions ("in", "à",
"nach"), speech verbs after it ("said", "a déclaré"), results tables and
datelines.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.nlp.entity_candidates import candidates
from bot.nlp.entity_inflected import morph_lone_word, morph_parts
from bot.nlp.entity_lexicon import (
    COMMON_ACRONYMS,
    CONNECTORS,
    FUNCTION_WORDS_DE,
    LEGAL_FORMS,
    ORG_BEFORE,
    ORG_WORDS,
    PERSON_BEFORE,
    PLACE_OF,
    PLACE_WORDS,
    SPEECH,
    STARTERS,
    TITLES,
)
from bot.nlp.entity_tokens import Tok, all_caps, fold
from bot.nlp.entity_trim import trim
from bot.nlp.entity_vocabulary import Vocabulary


@dataclass
class Mention:
    words: tuple[str, ...]  # name words as written, connectors included
    sentence: int  # -1 for the title
    votes: defaultdict[str, float]
    weak: bool  # kept only if merged into a stronger entity
    caseless: bool  # found in an ALL-CAPS or Title-Case line

    @property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass
class Group:
    key: str
    mentions: list[Mention] = field(default_factory=list)
    votes: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))

    def names(self) -> list[tuple[str, ...]]:
        return [m.words for m in self.mentions]


def find_mentions(
    vocab: Vocabulary, tokens: list[Tok], index: int, caseless: bool
) -> Iterable[Mention]:
    """The mentions of names in a sentence (`index` -1: the article's title)."""
    for lo, hi, initial in candidates(vocab, tokens, caseless):
        yield from _mention(vocab, tokens, lo, hi, index, caseless, initial)


def _title_case_phrase(vocab: Vocabulary, words: list[str]) -> bool:
    """A headline, a song or a film written in Title Case or capitals ("Was Carried In
    Full On The Internet", "Stay With Me", "THREE PEOPLE HAVE DIED IN A BLAZE"): two of
    its words after the first are capitalised stop words. A name writes them in
    lowercase ("Bank of the West"); one-letter words ("Texas A & M") and a company's
    "Co Ltd" (words of `ORG_WORDS`) do not count."""
    function = 0
    for word in words[1:]:
        low = word.lower()
        if len(word) > 1 and word[0].isupper() and low in vocab.lang_stop and low not in ORG_WORDS:
            function += 1
            if function == 2:
                return True
    return False


def _mention(
    vocab: Vocabulary,
    tokens: list[Tok],
    lo: int,
    hi: int,
    index: int,
    caseless: bool,
    initial: bool,
) -> Iterable[Mention]:
    # "&" joins ("Procter & Gamble"); keep it in the name.
    words = [t.raw if t.raw == "&" else t.text for t in tokens[lo:hi] if t.raw != "."]
    if caseless:
        yield from _caseless_mentions(vocab, tokens, lo, hi, index, initial)
        return
    words, titled, before = trim(vocab, words, initial)
    if _title_case_phrase(vocab, words):
        return
    # "U.S." of "U.S. President Bill Clinton" is a name of its own; "Alabama" of
    # "Alabama Sen. Jeff Sessions", before an abbreviated title, says whose senator.
    if before and not any(t.raw == "." for t in tokens[lo + 1 : hi]):
        for known in before:
            yield Mention(known, index, defaultdict(float), False, False)
    initial = initial and not titled and len(words) == hi - lo
    _drop_tail(vocab, words)
    lead = [] if vocab.nouns else _before_first_name(vocab, words)
    if lead:  # (German drops a role there: `_without_nouns`)
        # A lone word there is most often a ministry's field ("Intérieur"):
        # kept only if it is a name elsewhere too.
        weak = len(lead) == 1 and vocab.gazetteer_type(lead[0]) is None
        yield Mention(tuple(lead), index, defaultdict(float), weak, False)
        words = words[len(lead) :]
    if vocab.nouns and words:
        words = _without_nouns(vocab, words)
    if vocab.morphology and words:
        parts = morph_parts(vocab, words)
    else:
        parts = _person_of_place(vocab, words)
    for number, part in enumerate(parts):
        if not part:
            continue
        weak = False
        if len(part) == 1:
            lone = _lone_word(vocab, part[0], titled, initial and part is parts[0])
            if lone is None:
                continue
            weak = lone
        if number == 0 or vocab.morphology:
            votes = _votes(tokens, lo, hi, part, titled, vocab)
        else:  # the place or body a person is of: the span's context is the person's
            votes = defaultdict(float, place=1.0)
        yield Mention(tuple(part), index, votes, weak, False)


def _drop_tail(vocab: Vocabulary, words: list[str]) -> None:
    """Drop trailing connectors, and a month or a day after a word that is no
    first name."""
    while words and (
        words[-1] in CONNECTORS
        or (
            len(words) > 1
            and words[-1].lower() in vocab.months
            and fold(words[-2]) not in vocab.gaz.first_names
        )
    ):
        words.pop()  # "NYC Jan", but "Theresa May"


def _before_first_name(vocab: Vocabulary, words: list[str]) -> list[str]:
    """The words before a person's name that runs on from another name:
    "Transición Ecológica" in "Transición Ecológica Teresa Ribera" (a first
    name, then at least a surname, after a word that is no first name) — unless the
    first name ends a known name ("San Diego Chargers", "St Louis Blues")."""
    first_names = vocab.gaz.first_names
    for j in range(len(words) - 2, 0, -1):
        if (
            fold(words[j]) in first_names
            and fold(words[j - 1]) not in first_names
            and words[j - 1] not in CONNECTORS
            and not any(vocab.gazetteer_type(" ".join(words[i : j + 1])) for i in range(j))
        ):
            rest = words[j:]  # a person's name: "Maximilian University of Munich" is none
            if any(w in CONNECTORS or w.lower() in ORG_WORDS for w in rest):
                return []
            return words[:j]
    return []


def _person_of_place(vocab: Vocabulary, words: list[str]) -> list[list[str]]:
    """A person's name and the place or body they are of, two names in English: "Larry
    Kroon of the Wasilla Bible Church", "LuAnn Marie Johnson of Burnsville". A first
    name opens the name, and no title or word of a body's name comes before "of"
    ("Mary Queen of Scots", "Trinity United Church of Christ" stay whole)."""
    if vocab.language != "en" or "of" not in words:
        return [words]
    at = words.index("of")
    head = words[:at]
    if not 2 <= at <= 4 or fold(words[0]) not in vocab.gaz.first_names:
        return [words]
    if any(w in CONNECTORS or w.lower() in ORG_WORDS or w.lower() in TITLES for w in head):
        return [words]
    rest = words[at + 1 :]
    while rest and rest[0] in CONNECTORS:
        rest = rest[1:]
    return [head, rest]


def _without_nouns(vocab: Vocabulary, words: list[str]) -> list[str]:
    """German capitalises every noun: the common nouns around a name are no
    part of it ("Tausende Menschen", "Jahre Haft"; "Landgericht Regensburg"
    is the court), unless they name a kind of body or place ("Deutsche Bank")
    or the whole is a known name. Nor are capitalised stop words ("Beim Bau",
    a word run on from a heading), and a role before a first name goes too
    ("Finanzgenie Wolfgang Wagner")."""
    if vocab.gazetteer_type(" ".join(words)) is not None:
        return words
    first_names = vocab.gaz.first_names
    lo, hi = 0, len(words)
    for j in range(1, hi - 1):
        if fold(words[j]) in first_names and fold(words[j - 1]) not in first_names:
            lo = j  # the last first name after a word that is none
    # A company's name ends in its legal form: "Siemens AG".
    body = hi > 1 and words[-1].lower() in LEGAL_FORMS
    while lo < hi and (
        words[lo] in CONNECTORS
        or _function_word(vocab, words[lo])
        or (
            not body
            and hi - lo > 1
            and vocab.is_compound_noun(words[lo])
            and not (
                hi - lo == 2
                and words[lo + 1].lower() in ORG_WORDS
                and words[lo].endswith(("sche", "schen", "ische", "ischen"))  # "Deutschen Bank"
            )
        )
        or (hi - lo == 1 and vocab.is_noun(words[lo]))
    ):
        lo += 1
    while hi > lo and (
        words[hi - 1] in CONNECTORS
        or _function_word(vocab, words[hi - 1])
        or (_noun_tail(vocab, words[hi - 1]) and not _after_first_name(vocab, words, hi - 1))
    ):
        hi -= 1
    return words[lo:hi]


def _after_first_name(vocab: Vocabulary, words: list[str], i: int) -> bool:
    """The word at `i` follows a first name: a surname ("Wolfgang Wagner")."""
    return i > 0 and fold(words[i - 1]) in vocab.gaz.first_names


def _function_word(vocab: Vocabulary, word: str) -> bool:
    low = word.lower()
    return low in vocab.lang_stop or low in STARTERS or low in FUNCTION_WORDS_DE


def _noun_tail(vocab: Vocabulary, word: str) -> bool:
    low = word.lower()
    return vocab.is_noun(word) and low not in ORG_WORDS and low not in PLACE_WORDS


def _lone_word(vocab: Vocabulary, word: str, titled: bool, initial: bool) -> bool | None:
    """A name of one word: None if it is none after all, else whether it is
    weak (kept only if merged into a stronger entity)."""
    if len(word) < 2 and not titled:
        return None
    gaz = vocab.gazetteer_type(word)
    low = word.lower()
    if (low in TITLES or low in COMMON_ACRONYMS) and gaz is None:
        return None
    if vocab.morphology and gaz is None and not titled:
        return morph_lone_word(vocab, word, initial)
    if gaz is None and not titled:
        if low in vocab.lang_stop or low in vocab.months:
            return None
        if vocab.common(word) or low in STARTERS:
            return None
        if vocab.is_noun(word):
            return None
        return initial or (vocab.nouns_capitalised and not all_caps(word))
    return False


_LOCATIVE = re.compile(r"['’]n?[dt][ae]n?$")


def _votes(
    tokens: list[Tok], lo: int, hi: int, words: list[str], titled: bool, vocab: Vocabulary
) -> defaultdict[str, float]:
    """Votes for the type of the name `words` found at tokens [lo, hi), from
    its form and its context."""
    votes: defaultdict[str, float] = defaultdict(float)
    if len(words) > 1 and words[-1][:1].islower() and words[-1] not in CONNECTORS:
        votes["organization"] += 2.0  # an extended Romance name
    if titled:
        votes["person"] += 2.0
    # A Turkish locative or ablative suffix on the name ("İstanbul'da", "Ankara'dan"): a place.
    last = tokens[hi - 1]
    if last.possessive and _LOCATIVE.match(last.raw, len(last.text)):
        votes["place"] += 1.0
    # Context around the span.
    prev = _prev_word(tokens, lo)
    nxt = _next_words(tokens, hi)
    if prev:
        if prev in vocab.place_before:
            votes["place"] += 1.0 if prev in vocab.strong_place_before else 0.4
        if prev in PERSON_BEFORE:
            votes["person"] += 2.0
        if prev in ORG_BEFORE:
            votes["organization"] += 2.0
        if prev == "the" and len(words) > 0:
            votes["organization"] += 0.5
        if prev in ("of", "de", "di", "von") and lo > 1 and tokens[lo - 2].text.lower() in PLACE_OF:
            votes["place"] += 1.5  # "the city council of Springfield"
    if nxt and (
        nxt[0] in SPEECH or (nxt[0] in ("a", "ha", "hat") and nxt[1:2] and nxt[1] in SPEECH)
    ):
        votes["person"] += 0.7
    # A name then a number at the start of a line or after a score is a
    # team in a results table ("Arsenal 2 Derby 2", "Feyenoord 17 11 3").
    if hi < len(tokens) and tokens[hi].raw.isdigit() and (lo == 0 or tokens[lo - 1].raw.isdigit()):
        votes["organization"] += 2.5
    # Dateline: "LONDON (Reuters) -", "AL-AIN , United Arab Emirates".
    if lo == 0 and all_caps(" ".join(words)) and hi < len(tokens) and tokens[hi].raw in ",(-–—":
        votes["place"] += 2.0
    return votes


def _caseless_mentions(
    vocab: Vocabulary, tokens: list[Tok], lo: int, hi: int, index: int, initial: bool
) -> Iterable[Mention]:
    """In ALL-CAPS/Title-Case lines keep runs of words known to be names."""
    run: list[str] = []

    def flush() -> Iterable[Mention]:
        while run and run[-1].lower() in CONNECTORS:
            run.pop()
        if run:
            yield Mention(tuple(run), index, defaultdict(float), False, True)
        run.clear()

    for tok in tokens[lo:hi]:
        if tok.raw in (".", "&"):
            continue
        word = tok.text
        folded = fold(word)
        if run and folded in CONNECTORS:
            run.append(word.lower())
            continue
        if folded in vocab.known or vocab.gazetteer_type(word) is not None:
            surface = vocab.known.get(folded)
            if surface:
                word = surface.most_common(1)[0][0]
            elif vocab.gazetteer_type(word) is None or all_caps(word):
                word = word if len(word) <= 3 else word.title()
            run.append(word)
        else:
            yield from flush()
    yield from flush()


def _prev_word(tokens: list[Tok], lo: int) -> str:
    """The lowercase word before the span at `lo`, an elided article spelt out."""
    tok = tokens[lo]
    if tok.before:
        return {"l": "le", "d": "de", "qu": "que"}.get(tok.before, tok.before)
    if lo > 0 and tokens[lo - 1].word:
        return tokens[lo - 1].text.lower()
    return ""


def _next_words(tokens: list[Tok], hi: int) -> list[str]:
    """The up to three words right after the span ending at `hi`, lowercased,
    up to the first symbol."""
    out: list[str] = []
    for tok in tokens[hi : hi + 3]:
        if not tok.word:
            break
        out.append(tok.text.lower())
    return out
