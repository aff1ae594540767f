"""The grouping benchmark's channel settings: look-alike stories dated apart, and a set
grouped among other news that is not scored (benchmarks/stories.py --dated, --distractors)."""

from __future__ import annotations

import json

from benchmarks.stories import _distractors, evaluate
from bot.nlp.stories import GroupingParams
from bot.stories import item_from_row
from tests.conftest import DATA

STORIES = DATA / "stories"


def _rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (STORIES / name).read_text(encoding="utf-8").splitlines()]


def test_dated_look_alikes_stay_apart_and_distractors_are_not_scored() -> None:
    rows = _rows("ecb_sample.jsonl")
    items = {r["id"]: item_from_row(r) for r in rows}
    low = GroupingParams(threshold=0.05, figures_threshold=0.05)  # merges the look-alikes
    (undated, _, _), _ = evaluate(rows, items, low)
    (dated, recall, _), _ = evaluate(rows, items, low, dated=True)
    assert undated < 1.0  # Tara Reid's and Lindsay Lohan's rehabs, one window
    assert dated == 1.0 and recall == 1.0  # 60 days apart: two windows
    others = _distractors([f"--distractors={STORIES / 'quakes_xlang.jsonl'}"])
    assert len(others) == 17 and all(o.id.startswith("distractor-") for o in others)
    (precision, recall, _), _ = evaluate(rows, items, GroupingParams(), dated=True, others=others)
    # No report joins an earthquake; with more items in the window each key is rarer.
    assert precision == 1.0 and recall >= evaluate(rows, items, GroupingParams(), dated=True)[0][1]
