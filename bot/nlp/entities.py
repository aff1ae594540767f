"""Key entities of an article, found by rules that work in any language.

No model is needed: names are capitalised spans ("Lloyd Austin", "Bank of
England", "Unités de mobilisation populaire" stays out), kept only when the
text itself says they are names:

- a capitalised word that also appears in lowercase in the same text is a
  common word ("The", "Defender", "Forces") unless a gazetteer knows it;
- a sentence-initial word is judged on that evidence and the stop words;
- German capitalises every noun, so there a lone capitalised word needs more
  evidence (a gazetteer, a title, a first name, an acronym, a longer name);
- ALL-CAPS and Title-Case lines (headlines, sports tables) add mentions only
  of words already known from ordinary sentences or from the gazetteers.

Mentions are merged (surname into full name, "U.S." into "United States",
"l'Irak"/"d'Irak" into "Irak", an acronym into the name it abbreviates) and
typed by votes: gazetteers (bot/nlp/gazetteer/), titles and roles ("Mr",
"président", "striker"), organisation words ("Party", "Ministère", "FC"),
place prepositions ("in", "à", "en", "nach"), speech verbs ("said", "a
déclaré"). Salience combines mentions, spread, early and title mentions.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bot.models import Entity, EntityType
from bot.nlp.entity_candidates import candidates
from bot.nlp.entity_lexicon import (
    CONNECTORS,
    ORG_BEFORE,
    ORG_WORDS,
    OTHER_WORDS,
    PERSON_BEFORE,
    PLACE_BEFORE,
    PLACE_WORDS,
    SPEECH,
    STARTERS,
    STRONG_PLACE_BEFORE,
    TITLES,
)
from bot.nlp.entity_tokens import (
    Tok,
    all_caps,
    caseless_line,
    fold,
    tokenize,
)
from bot.nlp.entity_trim import trim
from bot.nlp.entity_vocabulary import Vocabulary

# --- mentions and entities ---------------------------------------------------


@dataclass
class _Mention:
    words: tuple[str, ...]  # name words as written, connectors included
    sentence: int  # -1 for the title
    votes: defaultdict[str, float]
    weak: bool  # kept only if merged into a stronger entity
    caseless: bool  # found in an ALL-CAPS or Title-Case line

    @property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass
class _Group:
    key: str
    mentions: list[_Mention] = field(default_factory=list)
    votes: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))

    def names(self) -> list[tuple[str, ...]]:
        return [m.words for m in self.mentions]


def _mentions(
    vocab: Vocabulary, tokens: list[Tok], index: int, caseless: bool
) -> Iterable[_Mention]:
    for lo, hi, initial in candidates(vocab, tokens, caseless):
        yield from _mention(vocab, tokens, lo, hi, index, caseless, initial)


def _mention(
    vocab: Vocabulary,
    tokens: list[Tok],
    lo: int,
    hi: int,
    index: int,
    caseless: bool,
    initial: bool,
) -> Iterable[_Mention]:
    votes: defaultdict[str, float] = defaultdict(float)
    # "&" joins ("Procter & Gamble"); keep it in the name.
    words = [t.raw if t.raw == "&" else t.text for t in tokens[lo:hi] if t.raw != "."]
    if caseless:
        yield from _caseless_mentions(vocab, tokens, lo, hi, index, initial)
        return
    words, titled, before = trim(vocab, words, initial)
    for part in before:
        yield _Mention(part, index, defaultdict(float), False, False)
    initial = initial and not titled and len(words) == hi - lo
    while words and (
        words[-1] in CONNECTORS
        or (
            len(words) > 1
            and words[-1].lower() in vocab.months
            and fold(words[-2]) not in vocab.gaz.first_names
        )
    ):
        words.pop()  # "NYC Jan", but "Theresa May"
    if not words:
        return
    text = " ".join(words)
    gaz = vocab.gazetteer_type(text)
    weak = False
    if len(words) > 1 and words[-1][:1].islower() and words[-1] not in CONNECTORS:
        votes["organization"] += 2.0  # an extended Romance name
    if len(words) == 1:
        word = words[0]
        if len(word) < 2 and not titled:
            return
        low = word.lower()
        if low in TITLES and gaz is None:
            return
        if gaz is None and not titled:
            if low in vocab.lang_stop or low in vocab.months:
                return
            if vocab.common(word) or low in STARTERS:
                return
            if initial:
                weak = True
            if vocab.nouns_capitalised and not all_caps(word):
                weak = True
    if titled:
        votes["person"] += 2.0
    # Context around the span.
    prev = _prev_word(tokens, lo)
    nxt = _next_words(tokens, hi)
    if prev:
        if prev in PLACE_BEFORE:
            votes["place"] += 1.0 if prev in STRONG_PLACE_BEFORE else 0.4
        if prev in PERSON_BEFORE:
            votes["person"] += 2.0
        if prev in ORG_BEFORE:
            votes["organization"] += 2.0
        if prev == "the" and len(words) > 0:
            votes["organization"] += 0.5
    if nxt and (
        nxt[0] in SPEECH or (nxt[0] in ("a", "ha", "hat") and nxt[1:2] and nxt[1] in SPEECH)
    ):
        votes["person"] += 0.7
    # A name then a number at the start of a line or after a score is a
    # team in a results table ("Arsenal 2 Derby 2", "Feyenoord 17 11 3").
    if hi < len(tokens) and tokens[hi].raw.isdigit() and (lo == 0 or tokens[lo - 1].raw.isdigit()):
        votes["organization"] += 2.5
    # Dateline: "LONDON (Reuters) -", "AL-AIN , United Arab Emirates".
    if lo == 0 and all_caps(text) and hi < len(tokens) and tokens[hi].raw in ",(-–—":
        votes["place"] += 2.0
    yield _Mention(tuple(words), index, votes, weak, False)


def _caseless_mentions(
    vocab: Vocabulary, tokens: list[Tok], lo: int, hi: int, index: int, initial: bool
) -> Iterable[_Mention]:
    """In ALL-CAPS/Title-Case lines keep runs of words known to be names."""
    run: list[str] = []

    def flush() -> Iterable[_Mention]:
        while run and run[-1].lower() in CONNECTORS:
            run.pop()
        if run:
            yield _Mention(tuple(run), index, defaultdict(float), False, True)
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
    tok = tokens[lo]
    if tok.before:
        return {"l": "le", "d": "de", "qu": "que"}.get(tok.before, tok.before)
    if lo > 0 and tokens[lo - 1].word:
        return tokens[lo - 1].text.lower()
    return ""


def _next_words(tokens: list[Tok], hi: int) -> list[str]:
    out = []
    for tok in tokens[hi : hi + 3]:
        if not tok.word:
            break
        out.append(tok.text.lower())
    return out


# --- merging, typing, ranking --------------------------------------------------


def _key(vocab: Vocabulary, mention: _Mention) -> str:
    return vocab.key(mention.text)


def _initials(words: Sequence[str]) -> str:
    return "".join(w[0] for w in words if w[:1].isupper() and w not in CONNECTORS)


def _merge(groups: dict[str, _Group], vocab: Vocabulary) -> list[_Group]:
    """Fold short names into the one longer name they stand for."""
    longer = [g for g in groups.values() if any(len(m.words) > 1 for m in g.mentions)]
    by_last: dict[str, list[_Group]] = {}
    by_first: dict[str, list[_Group]] = {}
    by_initials: dict[str, list[_Group]] = {}
    for g in longer:
        for words in set(g.names()):
            core = [w for w in words if w not in CONNECTORS]
            if len(core) < 2:
                continue
            by_last.setdefault(fold(core[-1]), []).append(g)
            by_first.setdefault(fold(core[0]), []).append(g)
            acronym = _initials(words)
            if len(acronym) >= 2:
                by_initials.setdefault(acronym, []).append(g)
    merged: dict[str, _Group] = {}
    for key, group in groups.items():
        target = None
        if key.startswith("N:") and all(len(w) == 1 for w in group.names()):
            word = group.mentions[0].words[0]
            folded = fold(word)
            if all_caps(word):
                candidates = {id(g): g for g in by_initials.get(word.upper(), [])}
            else:
                candidates = {id(g): g for g in by_last.get(folded, [])}
                if not candidates and folded in vocab.gaz.first_names:
                    candidates = {id(g): g for g in by_first.get(folded, [])}
            candidates.pop(id(group), None)
            if len(candidates) > 1:
                # "Brown" is "Gordon Brown" (8 mentions), not "Labour Brown" (1).
                ranked = sorted(candidates.values(), key=lambda g: -len(g.mentions))
                if len(ranked[0].mentions) >= 2 * len(ranked[1].mentions):
                    candidates = {id(ranked[0]): ranked[0]}
            if len(candidates) == 1:
                target = next(iter(candidates.values()))
        if target is None:
            merged.setdefault(key, group)
        else:
            target.mentions.extend(group.mentions)
            for kind, weight in group.votes.items():
                target.votes[kind] += weight
    # A target may itself have been merged away: resolve by identity.
    alive = {id(g) for g in merged.values()}
    return [g for g in merged.values() if id(g) in alive]


def _unsupported(group: _Group, vocab: Vocabulary) -> bool:
    """Only weak mentions (a lone German noun, a sentence-initial word) or
    only single words from ALL-CAPS lines, none of them in a gazetteer."""
    mentions = group.mentions
    if not all(m.weak or m.caseless for m in mentions):
        return False
    if any(vocab.gazetteer_type(m.text) for m in mentions):
        return False
    return all(m.weak for m in mentions) or not any(len(m.words) > 1 for m in mentions)


def _type_of(group: _Group, vocab: Vocabulary) -> tuple[EntityType, float]:
    votes: defaultdict[str, float] = defaultdict(float)
    for m in group.mentions:
        for kind_, weight in m.votes.items():
            votes[kind_] += weight
    names = Counter(group.names())
    gaz = vocab.gaz
    evidence = 0.0
    for words, mentions in names.items():
        text = " ".join(words)
        known = vocab.gazetteer_type(text)
        if known is not None:
            # The gazetteer outweighs context ("NASA said" is no person),
            # except that a city is also its football club ("Liverpool 2").
            weight = 0.5 if known[1][:2] in ("T:", "H:") else 3.0
            votes[known[0]] += 2.0 + weight * mentions
            evidence += 3
            continue
        folded = [fold(w) for w in words]
        if len(words) > 1 and folded[0] in gaz.first_names:
            votes["person"] += 2.5
            evidence += 2
        if len(words) > 1 and any(w in OTHER_WORDS for w in folded):
            votes["other"] += 3.0
            evidence += 2
        elif any(w in ORG_WORDS for w in folded):
            votes["organization"] += 3.0
            evidence += 2
        elif any(w in PLACE_WORDS for w in folded):
            votes["place"] += 2.0
            evidence += 1
        if len(words) == 1 and all_caps(words[0]) and len(words[0]) <= 5:
            votes["organization"] += 1.5
            evidence += 1
        if len(words) > 1 and not any(w in CONNECTORS or w[:1].islower() for w in words):
            votes["person"] += 0.6
        # A known place inside a longer name that is not a person's:
        # "Bayer Leverkusen", "China Steel", "Budapest Bank".
        if len(words) > 1 and folded[0] not in gaz.first_names:
            for w in words:
                part = vocab.gazetteer_type(w)
                if part is not None and part[0] == "place":
                    votes["organization"] += 1.0
                    break
    evidence += sum(votes.values()) * 0.2
    if not votes:
        # A lone unknown name is most often a surname mentioned again.
        return "person", 0.0
    kind, _ = max(votes.items(), key=lambda kv: (kv[1], kv[0] == "person"))
    return kind, evidence  # type: ignore[return-value]


def _display(group: _Group, kind: EntityType) -> str:
    names = Counter(m.words for m in group.mentions if not m.caseless) or Counter(
        m.words for m in group.mentions
    )
    if kind == "person":
        best = max(names.items(), key=lambda kv: (len(kv[0]), kv[1]))[0]
    else:
        best = max(names.items(), key=lambda kv: (kv[1], len(kv[0])))[0]
    return " ".join(best)


_MAX_EVIDENCE = 3.0 * 0.3  # the most the type evidence adds to a salience score


def extract_entities(
    sentences: Sequence[str],
    *,
    language: str,
    title: str | None = None,
    limit: int = 10,
) -> list[Entity]:
    """The `limit` key entities of an article given as sentences, most salient first."""
    language = (language or "en").lower()[:2]
    vocab = Vocabulary(language)
    lines: list[tuple[int, list[Tok]]] = []
    if title:
        lines.append((-1, tokenize(title, language)))
    lines.extend((i, tokenize(s, language)) for i, s in enumerate(sentences))
    flags = [caseless_line(tokens) for _, tokens in lines]
    capitals = any(flags)
    for (index, tokens), caseless in zip(lines, flags, strict=True):
        if not caseless and index >= 0:
            vocab.learn(tokens, capitals)
    groups: dict[str, _Group] = {}
    for (index, tokens), caseless in zip(lines, flags, strict=True):
        for mention in _mentions(vocab, tokens, index, caseless):
            key = _key(vocab, mention)
            group = groups.get(key)
            if group is None:
                group = groups[key] = _Group(key)
            group.mentions.append(mention)
    total = max(1, len(sentences))
    # Salience without the type evidence first: that evidence adds at most
    # 0.9, so a group that cannot reach the top `limit` is never typed.
    candidates: list[tuple[float, bool, _Group]] = []
    for group in _merge(groups, vocab):
        if _unsupported(group, vocab):
            continue
        body = [m for m in group.mentions if m.sentence >= 0]
        count = len(group.mentions)
        spread = len({m.sentence for m in body})
        first = min((m.sentence for m in body), default=total)
        early = max(0.0, 1.0 - first / max(4.0, total / 3))
        in_title = any(m.sentence < 0 for m in group.mentions)
        base = count + 0.5 * spread + 1.5 * early + 2.0 * in_title
        candidates.append((base, all(m.caseless for m in group.mentions), group))
    if 0 < limit < len(candidates):
        lowest = sorted((b * 0.5 if c else b for b, c, _ in candidates), reverse=True)
        bar = lowest[limit - 1]
        candidates = [x for x in candidates if (x[0] + _MAX_EVIDENCE) * (0.5 if x[1] else 1) >= bar]
    ranked: list[tuple[float, _Group, EntityType]] = []
    for base, caseless_only, group in candidates:
        kind, evidence = _type_of(group, vocab)
        score = base + min(evidence, 3.0) * 0.3
        if caseless_only:
            score *= 0.5
        ranked.append((score, group, kind))
    ranked.sort(key=lambda item: -item[0])
    return [
        Entity(text=_display(group, kind), type=kind, count=len(group.mentions))
        for _, group, kind in ranked[:limit]
    ]
