"""Same-story grouping: the online decision the bot makes for each new item.

Items arrive in time order. A new item is compared with the recent items (those within
`window` of it, at most `max_items`) that share a key with it — an inverted index from
key to items, so the work is the length of the postings of the item's keys, never all
pairs — and joins the story of the best-matching one when the evidence is strong
enough, else starts a story of its own.

The evidence is a cosine over weighted keys (bot/nlp/story_features.py): each key weighs
its kind's weight times its rarity among the recent items (a country named by half the
window says little, a surname named by two items a lot). Two items of one language are
compared on all their keys but the marks; two of different languages on their names,
numbers and marks (names' skeletons, spelled alike across languages) only, against a
higher bar, since they have fewer keys to share. Two reports of one language that share
two figures (a score, a toll, a sum) need a lower cosine, and two whose title and lead
alone agree (their words' cosine, weighed the same way) are one story whatever the rest
of their keys says: an outlet's short brief and another's long report. Merging two
stories is worse than missing a pair: the thresholds are set for precision
(benchmarks/stories.py).
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice

from bot.nlp.story_features import StoryFeatures, skeleton


@dataclass(frozen=True)
class GroupingParams:
    window_seconds: float = 36 * 3600
    max_items: int = 10_000
    threshold: float = 0.35  # same language: cosine over every key
    cross_threshold: float = 0.15  # different languages: names, numbers and marks only
    name_weight: float = 3.0
    place_weight: float = 1.0  # a country, a region
    city_weight: float = 3.0  # a city names its story as well as a person does
    number_weight: float = 1.0
    cross_min_shared: int = 2  # things in common (a person once however named), not countries
    mark_weight: float = 3.0  # a name's skeleton, in another language's report
    word_weight: float = 1.0
    prior_items: int = 200  # rarity is counted as if this many more items had no key
    max_postings: int = 500  # a key on more recent items finds no candidates
    recent_postings: int = 100  # ... and finds them among this many of its latest items
    candidates: int = 30  # items scored in full
    support: float = 0.3  # how much the story's next best items add to its best one
    lead_conflict: bool = False  # nor items whose main persons are strangers to each other
    year_conflict: bool = True  # items naming only different years never match
    # Two reports of one language that share this many figures (not years: a toll, a sum,
    # a magnitude, a score) need only this cosine: look-alike events rarely share two.
    figures_shared: int = 2
    figures_threshold: float = 0.2
    # Two reports of one language whose title and lead alone have this cosine are one
    # story, whatever the rest says (two outlets' versions of one wire report).
    headline_threshold: float = 0.5
    headline_shared: int = 3  # ... and share this many of those words


@dataclass
class _Item:
    serial: int
    story: str
    time: float | None
    language: str
    keys: tuple[str, ...]
    keyset: frozenset[str]
    years: frozenset[str]
    lead: frozenset[str]
    norm: float = 0.0  # of every key, with the weights of when it came
    names_norm: float = 0.0  # of the names, numbers and marks only (other languages)
    headline: frozenset[str] = frozenset()  # those of its words in its title and lead
    headline_norm: float = 0.0  # ... their norm


@dataclass
class StoryIndex:
    """The recent items of one channel (or one run of `precis stories`) and their stories."""

    params: GroupingParams = field(default_factory=GroupingParams)
    _items: deque[_Item] = field(default_factory=deque)
    _postings: dict[str, deque[_Item]] = field(default_factory=dict)
    _serial: int = 0

    def __len__(self) -> int:
        return len(self._items)

    def _evict(self, now: float | None) -> None:
        p = self.params
        while self._items and (
            len(self._items) >= p.max_items
            or (
                now is not None
                and self._items[0].time is not None
                and now - self._items[0].time > p.window_seconds
            )
        ):
            old = self._items.popleft()
            for key in old.keys:
                posting = self._postings[key]
                if posting and posting[0] is old:
                    posting.popleft()
                else:  # items came out of time order: rare, and still correct
                    posting.remove(old)
                if not posting:
                    del self._postings[key]

    def _weight(self, key: str) -> float:
        p = self.params
        kind = key[0]
        base = (
            p.name_weight
            if kind == "E"
            else (p.city_weight if key[2:3] in ("H", "T") else p.place_weight)
            if kind == "P"
            else p.number_weight
            if kind == "#"
            else p.mark_weight
            if kind == "X"
            else p.word_weight
        )
        posting = self._postings.get(key)
        df = len(posting) if posting is not None else 0
        return base * math.log((len(self._items) + p.prior_items) / (df + 1))

    def assign(self, item_id: str, features: StoryFeatures, time: float | None = None) -> str:
        """The story of a new item (an earlier item's story, or `item_id`), and remember it."""
        story = self.match(features, time) or item_id
        self.remember(story, features, time)
        return story

    def match(self, features: StoryFeatures, time: float | None = None) -> str | None:
        """The story a new item belongs to among the recent ones, or None (a new story);
        nothing is remembered (the bot records its decision first, then `remember`s)."""
        self._evict(time)
        return self._best_story(features, self._weights(features), time)

    def remember(self, story: str, features: StoryFeatures, time: float | None = None) -> None:
        """Add an item of `story` (decided now, or rebuilt from what was recorded)."""
        self._evict(time)
        self._add(story, features, self._weights(features), time)

    def _weights(self, features: StoryFeatures) -> dict[str, float]:
        """Each key's weight in the item: a name it calls a place weighs as a place."""
        p = self.params
        weights = {key: self._weight(key) for key in features.all_keys()}
        for key in features.places & weights.keys():
            weights[key] *= p.place_weight / p.name_weight
        return weights

    def _candidates(self, weights: dict[str, float]) -> list[_Item]:
        """The items sharing the most weight of rare keys with the new one: a key on
        more than `max_postings` recent items is too common to find candidates by (its
        weight still counts in the score), and a key finds them among its
        `recent_postings` latest items (a big story's next report meets its last ones)."""
        p = self.params
        partial: dict[int, float] = {}
        items: dict[int, _Item] = {}
        for key, weight in weights.items():
            posting = self._postings.get(key)
            if posting is None or len(posting) > p.max_postings:
                continue
            square = weight * weight
            latest: Iterable[_Item] = posting
            if len(posting) > p.recent_postings:
                latest = islice(reversed(posting), p.recent_postings)
            for item in latest:
                serial = item.serial
                if serial in partial:
                    partial[serial] += square
                else:
                    partial[serial] = square
                    items[serial] = item
        best = heapq.nlargest(p.candidates, partial, key=partial.__getitem__)
        return [items[serial] for serial in best]

    def _best_story(
        self, features: StoryFeatures, weights: dict[str, float], time: float | None
    ) -> str | None:
        p = self.params
        names = {k: weights[k] ** 2 for k in _cross_keys(features)}
        norm = math.sqrt(sum(w * w for k, w in weights.items() if k[0] != "X"))
        headline_norm = _norm(weights, features.headline)
        names_norm = math.sqrt(sum(names.values()))
        by_story: dict[str, list[float]] = {}
        for item in self._candidates(weights):
            if time is not None and item.time is not None and time - item.time > p.window_seconds:
                continue
            if (
                p.year_conflict
                and features.years
                and item.years
                and not (features.years & item.years)
            ):
                continue  # two reports naming different years: two events
            if p.lead_conflict and _leads_differ(features, item):
                continue  # each about a person the other never names
            if item.language == features.language:
                shared = sum(
                    weights[k] ** 2 for k in item.keyset.intersection(weights) if k[0] != "X"
                )
                cosine = shared / (norm * item.norm or 1.0)
                score = cosine / p.threshold
                if score < 1.0 and (
                    (cosine >= p.figures_threshold and _figures_agree(features, item, p))
                    or _headline_cosine(features, weights, headline_norm, item, p.headline_shared)
                    >= p.headline_threshold
                ):
                    score = 1.0
            else:
                common = item.keyset.intersection(names)
                if len({_concept(k) for k in common} - {""}) < p.cross_min_shared:
                    continue  # a country, or one name, is no story across languages
                shared = sum(names[k] for k in common)
                score = shared / (names_norm * item.names_norm or 1.0) / p.cross_threshold
            by_story.setdefault(item.story, []).append(score)
        best, best_score = None, 1.0
        for story, scores in by_story.items():
            scores.sort(reverse=True)
            # A story that several of its items vouch for is surer than one close item.
            score = scores[0] + p.support * sum(scores[1:3])
            if score >= best_score:
                best, best_score = story, score
        return best

    def _add(
        self,
        story: str,
        features: StoryFeatures,
        weights: dict[str, float],
        time: float | None,
    ) -> None:
        self._serial += 1
        item = _Item(
            serial=self._serial,
            story=story,
            time=time,
            language=features.language,
            keys=tuple(weights),
            keyset=frozenset(weights),
            headline=features.headline,
            years=features.years,
            lead=features.lead,
            norm=math.sqrt(sum(w * w for k, w in weights.items() if k[0] != "X")),
            headline_norm=_norm(weights, features.headline),
            names_norm=math.sqrt(sum(weights[k] ** 2 for k in _cross_keys(features))),
        )
        self._items.append(item)
        for key in item.keys:
            self._postings.setdefault(key, deque()).append(item)


def _concept(key: str) -> str:
    """What a key shared across languages stands for, so that one person named in full,
    by surname and by skeleton counts once ("" for a country, which counts for nothing)."""
    if key.startswith("P:C:"):
        return ""
    if key.startswith("X:"):
        return key[2:]
    if key.startswith(("E:N:", "P:N:", "E:S:")):
        return skeleton(key[4:].split()[-1]) if key[4:].split() else key
    return key


def _cross_keys(features: StoryFeatures) -> tuple[str, ...]:
    """What a report in another language can share: names, figures, names' skeletons."""
    return (*features.names, *features.numbers, *features.marks)


def _figures_agree(features: StoryFeatures, item: _Item, p: GroupingParams) -> bool:
    """Whether the two items share `figures_shared` figures that are not years."""
    shared = features.numbers.intersection(item.keyset)
    return len({k for k in shared if k[1:] not in features.years}) >= p.figures_shared


def _norm(weights: dict[str, float], keys: frozenset[str]) -> float:
    return math.sqrt(sum(weights[k] ** 2 for k in keys))


def _headline_cosine(
    features: StoryFeatures, weights: dict[str, float], norm: float, item: _Item, least: int
) -> float:
    """The cosine of the two items' title-and-lead words, 0 if they share fewer than
    `least` of them (two stamps' "EST" and "September" are no headline)."""
    shared = [weights[k] ** 2 for k in features.headline & item.headline]
    if len(shared) < least:
        return 0.0
    return sum(shared) / (norm * item.headline_norm or 1.0)


def _leads_differ(features: StoryFeatures, item: _Item) -> bool:
    return bool(
        features.lead
        and item.lead
        and not features.lead & item.keyset
        and not item.lead & features.names
    )
