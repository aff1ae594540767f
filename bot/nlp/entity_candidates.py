"""Candidate name spans of a sentence: capitalised runs joined by connectors
("Bank of England", "Ursula von der Leyen", "Procter & Gamble", "Mr. Smith"),
and in Romance languages the lowercase words that carry on the name of a
body ("Forum économique mondial"). The mention finder then trims and judges
each span.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from itertools import compress

from bot.nlp.entity_lexicon import ADJECTIVE, CONNECTORS, TIME_WORDS, TITLE_ABBREVIATIONS, TITLES
from bot.nlp.entity_tokens import IS_CAP, Tok, all_caps
from bot.nlp.entity_vocabulary import Vocabulary


def candidates(
    vocab: Vocabulary, tokens: list[Tok], caseless: bool
) -> Iterable[tuple[int, int, bool]]:
    """The [lo, hi) spans of a sentence that may be names, each with whether
    it opens the sentence."""
    spans = capitalised_spans(tokens, vocab.solo)
    if not spans:
        return
    first_word = next((i for i, t in enumerate(tokens) if t.word), -1)
    for lo, hi in _without_signatures(tokens, spans):
        # A word after an opening quote or a colon also starts a sentence
        # (a span always starts with a word).
        before = tokens[lo - 1] if lo > 0 else None
        initial = lo == first_word or (
            before is not None
            and (
                (not before.word and before.raw in ":«“\"'‘(—–-")
                or before.text in TIME_WORDS  # after a time stamp: "... AM EDT Originally"
            )
        )
        if hi - lo == 1 and not caseless:
            if initial:
                # Most spans are one capitalised word opening a sentence
                # ("The", "But"): settle those here, as `trim` would.
                if vocab.common_start(tokens[lo].text) or vocab.is_word(tokens[lo].text):
                    continue  # ("Footage shows…", "Painful: a woman…")
            elif vocab.romance:
                hi = _extend(vocab, tokens, lo, hi)
        yield lo, hi, initial


# A wire's signature, staff initials and a desk code: "EFE JG-c Roma",
# "(AFP) mr/ll". Never part of a name.
_SIGNATURE = re.compile(r"^[A-Z]{1,4}(?:-[a-z]{1,3}|/[A-Za-z]{1,3})$")


def _without_signatures(tokens: list[Tok], spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans cut at signature codes and at a time's "AM EDT", which are left out."""
    out: list[tuple[int, int]] = []
    for lo, hi in spans:
        start = lo
        for i in range(lo, hi):
            if tokens[i].text in TIME_WORDS or _SIGNATURE.match(tokens[i].text):
                if i > start:
                    out.append((start, i))
                start = i + 1
        if hi > start:
            out.append((start, hi))
    return out


def capitalised_spans(tokens: list[Tok], solo_connectors: frozenset[str]) -> list[tuple[int, int]]:
    """[start, end) token ranges of capitalised runs joined by connectors."""
    # Only capitalised tokens start a span: jump from one to the next
    # instead of looking at every token.
    caps = list(compress(range(len(tokens)), map(IS_CAP, tokens)))
    if not caps:
        return []
    spans: list[tuple[int, int]] = []
    start = -1
    pending = 0  # connector tokens waiting for a capitalised word
    i = caps[0]
    n = len(tokens)
    while i < n:
        tok = tokens[i]
        if tok.cap:
            if tok.before and start >= 0:  # "Bagdad d'Irak": two names
                spans.append((start, i - pending))
                start = -1
            if start < 0:
                start = i
            pending = 0
            if tok.possessive:
                spans.append((start, i + 1))
                start = -1
            i += 1
            continue
        if start >= 0:
            joins = _bridge(tokens, i, start, pending, solo_connectors)
            if joins >= 0:
                pending += joins
                i += 1
                continue
            spans.append((start, i - pending))
            start, pending = -1, 0
        later = bisect_right(caps, i)
        if later == len(caps):
            break
        i = caps[later]
    if start >= 0:
        spans.append((start, n - pending))
    return spans


def _bridge(
    tokens: list[Tok], i: int, start: int, pending: int, solo_connectors: frozenset[str]
) -> int:
    """How token `i`, not capitalised, carries on the span begun at `start`:
    1 as a connector or "&" waiting for a capitalised word ("Bank of the
    West", "Procter & Gamble"), 0 as the full stop of an abbreviated title
    ("Mr. Smith"), -1 not at all: the span ends before it."""
    if i + 1 >= len(tokens):
        return -1
    tok = tokens[i]
    nxt = tokens[i + 1]
    if tok.word and tok.text in CONNECTORS and pending < 2:
        solo = tok.text in solo_connectors or pending > 0
        if (
            solo
            and nxt.word
            and not nxt.before
            and (nxt.cap or (nxt.text in CONNECTORS and pending == 0))
        ):
            return 1
    if tok.raw == "&" and nxt.cap:
        return 1
    if tok.raw == "." and nxt.cap and _title_before(tokens, i, start):
        return 0
    return -1


def _title_before(tokens: list[Tok], i: int, start: int) -> bool:
    """Whether the full stop at `i` closes an abbreviated title: the span's first word
    ("Mr. Smith"), or a title further in ("Alaska Gov. Sarah Palin", which `trim` then
    parts into the state and the person)."""
    word = tokens[i - 1].text
    if word not in TITLE_ABBREVIATIONS:
        return False
    return i - 1 == start or word.lower() in TITLES


def _extend(vocab: Vocabulary, tokens: list[Tok], lo: int, hi: int) -> int:
    """Romance names of bodies go on in lowercase: "Forum économique mondial",
    "Unités de mobilisation populaire": take the adjectives and "de" nouns."""
    head = tokens[lo].text
    if head.lower() in TITLES or vocab.gazetteer_type(head) is not None or all_caps(head):
        return hi
    end = hi
    i = hi
    n = len(tokens)
    while i < n and i - hi < 6:
        tok = tokens[i]
        if not tok.word or tok.before or not tok.text[:1].islower():
            break
        low = tok.text
        if low in ("de", "des", "du", "del", "do", "da", "di") and i + 1 < n:
            nxt = tokens[i + 1]
            if (
                nxt.word
                and not nxt.before
                and nxt.text[:1].islower()
                and nxt.text not in vocab.lang_stop
                and len(nxt.text) > 3
            ):
                i += 2
                end = i
                continue
            break
        if low in vocab.lang_stop or not ADJECTIVE.search(low):
            break
        i += 1
        end = i
    return end
