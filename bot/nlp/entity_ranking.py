"""Merging an article's groups of mentions and ranking them as entities.

Short names fold into the one longer name they stand for: a surname into the
full name, a first name into it when no surname matches, an acronym into the
name it abbreviates. (Spellings of one gazetteer entry, "U.S." and "United
States", already share a group key.) Salience combines mentions, spread,
early and title mentions, plus a little for strong type evidence.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.models import Entity, EntityType
from bot.nlp.entity_lexicon import CONNECTORS
from bot.nlp.entity_mentions import Group
from bot.nlp.entity_tokens import all_caps
from bot.nlp.entity_typing import display, type_of
from bot.nlp.entity_vocabulary import Vocabulary

_MAX_EVIDENCE = 3.0 * 0.3  # the most the type evidence adds to a salience score


def rank(groups: dict[str, Group], vocab: Vocabulary, total: int, limit: int) -> list[Entity]:
    """The `limit` most salient entities among an article's groups of mentions
    (`total`: its number of sentences, at least 1), most salient first."""
    # Salience without the type evidence first: that evidence adds at most
    # 0.9, so a group that cannot reach the top `limit` is never typed.
    candidates: list[tuple[float, bool, Group]] = []
    for group in _merge(groups, vocab):
        if _unsupported(group, vocab):
            continue
        base = _salience(group, total)
        candidates.append((base, all(m.caseless for m in group.mentions), group))
    if 0 < limit < len(candidates):
        lowest = sorted((b * 0.5 if c else b for b, c, _ in candidates), reverse=True)
        bar = lowest[limit - 1]
        candidates = [x for x in candidates if (x[0] + _MAX_EVIDENCE) * (0.5 if x[1] else 1) >= bar]
    ranked: list[tuple[float, Group, EntityType]] = []
    for base, caseless_only, group in candidates:
        kind, evidence = type_of(group, vocab)
        score = base + min(evidence, 3.0) * 0.3
        if caseless_only:
            score *= 0.5
        ranked.append((score, group, kind))
    ranked.sort(key=lambda item: -item[0])
    return [
        Entity(text=display(group, kind, vocab), type=kind, count=len(group.mentions))
        for _, group, kind in ranked[:limit]
    ]


def _salience(group: Group, total: int) -> float:
    """Mentions, spread over sentences, an early first mention, a title mention."""
    body = [m for m in group.mentions if m.sentence >= 0]
    count = len(group.mentions)
    spread = len({m.sentence for m in body})
    first = min((m.sentence for m in body), default=total)
    early = max(0.0, 1.0 - first / max(4.0, total / 3))
    in_title = any(m.sentence < 0 for m in group.mentions)
    return count + 0.5 * spread + 1.5 * early + 2.0 * in_title


def _initials(words: Sequence[str]) -> str:
    return "".join(w[0] for w in words if w[:1].isupper() and w not in CONNECTORS)


def _merge(groups: dict[str, Group], vocab: Vocabulary) -> list[Group]:
    """Fold short names into the one longer name they stand for."""
    longer = [g for g in groups.values() if any(len(m.words) > 1 for m in g.mentions)]
    by_last: dict[str, list[Group]] = {}
    by_first: dict[str, list[Group]] = {}
    by_initials: dict[str, list[Group]] = {}
    for g in longer:
        for words in set(g.names()):
            core = [w for w in words if w not in CONNECTORS]
            if len(core) < 2:
                continue
            by_last.setdefault(vocab.norm(core[-1]), []).append(g)
            by_first.setdefault(vocab.norm(core[0]), []).append(g)
            acronym = _initials(words)
            if len(acronym) >= 2:
                by_initials.setdefault(acronym, []).append(g)
    merged: dict[str, Group] = {}
    for key, group in groups.items():
        target = None
        if key.startswith("N:") and all(len(w) == 1 for w in group.names()):
            word = group.mentions[0].words[0]
            folded = vocab.norm(word)
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


def _unsupported(group: Group, vocab: Vocabulary) -> bool:
    """Only weak mentions (a lone German noun, a sentence-initial word) or
    only single words from ALL-CAPS lines, none of them in a gazetteer."""
    mentions = group.mentions
    if not all(m.weak or m.caseless for m in mentions):
        return False
    if any(vocab.gazetteer_type(m.text) for m in mentions):
        return False
    return all(m.weak for m in mentions) or not any(len(m.words) > 1 for m in mentions)
