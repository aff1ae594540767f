"""Same-story grouping on labelled story clusters: B-cubed precision / recall / F1 per half
for Précis and a TF-IDF baseline, cross-language pairs found, and the time per new item.

    python -m benchmarks.stories SET.jsonl [SET.jsonl ...] [--grid]

Each line of a set: a `precis stories` input line plus its gold "story" and a "topic"
(benchmarks/stories_data.py makes one from ECB+). Topics split the set in two halves —
odd topics dev A (where the thresholds were decided), even topics dev B (confirmation) —
and the two stories of a topic stay in the same half; a set whose lines carry a "half"
("A" or "B", as the cross-language dev set of benchmarks/crosslang_dev.tsv does) is split
by it. Pairs of reports in two languages are counted: found (same story, put together)
and merged wrongly (two stories put together). Items are analysed once by the
engine (as `precis stories` does), then grouped with the bot's online rule.
Baseline: TF-IDF cosine of title + lead (first sentence) at 0.5, single-link.

    --dated              also group ECB+ as a channel would see it: each topic's first
                         story on day 0 (its reports 10 minutes apart), its look-alike
                         story 60 days later, so that the window keeps them apart
    --distractors=FILE   also group each half among FILE's items (`precis stories` input
                         lines, no gold: a busy channel's other news), half of them in
                         each window when dated; scored on the set's items only
"""

from __future__ import annotations

import json
import math
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import replace
from itertools import combinations, product
from pathlib import Path
from typing import Any

from bot.nlp.stories import GroupingParams, StoryIndex
from bot.stories import StoryItem, group, item_from_row

_WORD = re.compile(r"\w+")


def bcubed(pred: dict[str, str], gold: dict[str, str]) -> tuple[float, float, float]:
    by_pred: dict[str, set[str]] = defaultdict(set)
    by_gold: dict[str, set[str]] = defaultdict(set)
    for item, story in pred.items():
        by_pred[story].add(item)
    for item, story in gold.items():
        by_gold[story].add(item)
    p = r = 0.0
    for item in gold:
        both = len(by_pred[pred[item]] & by_gold[gold[item]])
        p += both / len(by_pred[pred[item]])
        r += both / len(by_gold[gold[item]])
    p, r = p / len(gold), r / len(gold)
    return p, r, 2 * p * r / (p + r)


def tfidf_baseline(rows: list[dict[str, Any]], threshold: float = 0.5) -> dict[str, str]:
    """Cosine of TF-IDF vectors of title + lead, single-link over every pair above it."""
    docs = []
    for row in rows:
        lead = re.split(r"(?<=[.!?])\s", row.get("text") or "", maxsplit=1)[0]
        docs.append(Counter(_WORD.findall(f"{row.get('title') or ''} {lead}".lower())))
    df = Counter(w for doc in docs for w in doc)
    vectors = []
    for doc in docs:
        vec = {w: tf * math.log(len(docs) / df[w]) for w, tf in doc.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vectors.append({w: v / norm for w, v in vec.items()})
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in combinations(range(len(rows)), 2):
        a, b = vectors[i], vectors[j]
        if len(a) > len(b):
            a, b = b, a
        if sum(v * b.get(w, 0.0) for w, v in a.items()) >= threshold:
            parent[find(i)] = find(j)
    return {str(row["id"]): str(rows[find(i)]["id"]) for i, row in enumerate(rows)}


def cross_language(pred: dict[str, str], gold: dict[str, str], lang: dict[str, str]) -> str:
    """Pairs of reports in two languages: of one story and put together (found / all), and
    of two stories put together (merged)."""
    pairs = found = merged = 0
    for a, b in combinations(gold, 2):
        if lang[a] == lang[b]:
            continue
        if gold[a] == gold[b]:
            pairs += 1
            found += pred[a] == pred[b]
        else:
            merged += pred[a] == pred[b]
    return f"{found}/{pairs}, {merged} merged wrongly"


def _halves(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    if all(r.get("half") in ("A", "B") for r in rows):  # the set names its halves
        return {h: [r for r in rows if r["half"] == h] for h in ("A", "B")}
    if not all(str(r.get("topic", "")).isdigit() for r in rows):  # no ECB+ topics: one set
        return {"(whole set)": rows}
    return {  # ECB+: odd topics A, even B
        "A": [r for r in rows if int(r["topic"]) % 2 == 1],
        "B": [r for r in rows if int(r["topic"]) % 2 == 0],
    }


def evaluate(
    rows: list[dict[str, Any]],
    items: dict[str, StoryItem],
    params: GroupingParams,
    *,
    dated: bool = False,
    others: Sequence[StoryItem] = (),
) -> tuple[tuple[float, float, float], str]:
    gold = {str(r["id"]): str(r["story"]) for r in rows if str(r["id"]) in items}
    grouped = [items[i] for i in gold]
    if dated:
        grouped = [_dated(items[i], gold[i].endswith("plus"), 600.0 * (n % 40))
                   for n, i in enumerate(gold)]  # fmt: skip
        others = [_dated(o, n % 2 == 1, 300.0 * (n % 60)) for n, o in enumerate(others)]
    pred = group([*grouped, *others], params)
    pred = {i: pred[i] for i in gold}
    lang = {i: items[i].features.language for i in gold}
    return bcubed(pred, gold), cross_language(pred, gold, lang)


def _dated(item: StoryItem, later: bool, offset: float) -> StoryItem:
    return replace(item, time=(_LOOKALIKE if later else 0.0) + offset)


_LOOKALIKE = 60 * 86400.0  # seconds between a topic's two stories, dated


def speed(
    items: list[StoryItem], size: int = 10_000, new: int = 1_000, rounds: int = 5
) -> tuple[float, float, int]:
    """ms per new item against `size` recent items (the set's items repeated, renamed):
    the median and the slowest of `rounds` runs of `new` items each (one run is at the
    mercy of a collection or a neighbour's burst), and the most items the index held
    meanwhile (bounded: never over `size`)."""
    index = StoryIndex(GroupingParams(max_items=size))
    total = size + new * rounds
    copies = [replace(item, id=f"{n}-{item.id}") for n in range(total // len(items) + 2)
              for item in items]  # fmt: skip
    for item in copies[:size]:
        index.assign(item.id, item.features, None)
    held = len(index)
    runs = []
    for start_at in range(size, total, new):
        start = time.perf_counter()
        for item in copies[start_at : start_at + new]:
            index.assign(item.id, item.features, None)
            held = max(held, len(index))
        runs.append((time.perf_counter() - start) * 1000 / new)
    return statistics.median(runs), max(runs), held


def grid(rows: list[dict[str, Any]], items: dict[str, StoryItem]) -> None:
    for threshold, support, names, years, lead in product(
        (0.25, 0.3, 0.35, 0.4), (0.0, 0.3, 0.5), (1.5, 3.0), (False, True), (False, True)
    ):
        params = GroupingParams(
            threshold=threshold,
            support=support,
            name_weight=names,
            year_conflict=years,
            lead_conflict=lead,
        )
        (p, r, f), _ = evaluate(rows, items, params)
        print(f"t={threshold} support={support} names={names} years={years} lead={lead}: "
              f"P {p:.3f} R {r:.3f} F1 {f:.3f}")  # fmt: skip


def _distractors(argv: list[str]) -> list[StoryItem]:
    paths = [a.split("=", 1)[1] for a in argv if a.startswith("--distractors=")]
    rows = [json.loads(line) for path in paths
            for line in Path(path).read_text(encoding="utf-8").splitlines()]  # fmt: skip
    return [item_from_row({**r, "id": f"distractor-{r['id']}"}) for r in rows]


def main(argv: list[str]) -> int:
    paths = [a for a in argv if not a.startswith("--")]
    rows = [json.loads(line) for path in paths
            for line in Path(path).read_text(encoding="utf-8").splitlines()]  # fmt: skip
    start = time.perf_counter()
    items = {str(r["id"]): item_from_row(r) for r in rows}
    print(f"{len(rows)} items, {len({r['story'] for r in rows})} stories; analysed in "
          f"{time.perf_counter() - start:.1f} s")  # fmt: skip
    halves = _halves(rows)
    if "--grid" in argv:
        grid(halves["A"], items)
        return 0
    others = _distractors(argv)
    for name, half in halves.items():
        (p, r, f), cross = evaluate(half, items, GroupingParams())
        gold = {str(x["id"]): str(x["story"]) for x in half}
        bp, br, bf = bcubed(tfidf_baseline(half), gold)
        print(f"dev {name} ({len(half)} items, {len(set(gold.values()))} stories): "
              f"Précis P {p:.3f} R {r:.3f} F1 {f:.3f} (cross-language pairs found {cross}) | "
              f"TF-IDF 0.5 P {bp:.3f} R {br:.3f} F1 {bf:.3f}")  # fmt: skip
        for dated, extra in ((True, []), (False, others), (True, others)):
            if (dated and "--dated" not in argv) or (extra is others and not others):
                continue
            (p, r, f), _ = evaluate(half, items, GroupingParams(), dated=dated, others=extra)
            how = " + ".join(["dated"] * dated + [f"{len(extra)} distractors"] * bool(extra))
            print(f"    {how}: Précis P {p:.3f} R {r:.3f} F1 {f:.3f}")
    ms, slowest, held = speed(list(items.values()))
    print(
        f"grouping: {ms:.3f} ms per new item against 10,000 recent items (median of 5 runs "
        f"of 1,000; slowest {slowest:.3f}; the index held at most {held:,} items)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
