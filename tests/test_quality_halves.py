"""The dev-set halves and the paired bootstrap that benchmarks/quality.py prints."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks._halves import margin_lines, paired_bootstrap, split_halves

EVAL = Path(__file__).parent / "data" / "eval"


def test_halves_follow_the_ids_not_the_file_order() -> None:
    ids = [json.loads(line)["id"] for line in (EVAL / "cnndm.jsonl").open(encoding="utf-8")]
    a, b = split_halves(ids)
    assert sorted(a + b) == list(range(len(ids))) and not set(a) & set(b)
    assert (len(a), len(b)) == (63, 62)
    # Reversing the file moves no article from one half to the other.
    ra, rb = split_halves(ids[::-1])
    last = len(ids) - 1
    assert {ids[last - i] for i in ra} == {ids[i] for i in a}
    assert {ids[last - i] for i in rb} == {ids[i] for i in b}


def test_paired_bootstrap_interval() -> None:
    # A constant difference has no spread: the interval is the point.
    assert paired_bootstrap([3.0] * 50, [1.0] * 50) == (2.0, 2.0, 2.0)
    # A difference that is +1 or -1 with mean 0: the interval straddles zero,
    # about ±1.96 / sqrt(n) wide, and the same on every run (fixed seed).
    ours = [1.0, -1.0] * 200
    mean, low, high = paired_bootstrap(ours, [0.0] * 400)
    assert mean == 0.0 and -0.13 < low < -0.07 and 0.07 < high < 0.13
    assert paired_bootstrap(ours, [0.0] * 400) == (mean, low, high)


def test_margin_lines_name_both_halves() -> None:
    ids = ["d", "c", "b", "a"]
    ours = [{"rouge1": 2.0, "rouge2": 1.0}] * 4
    lead = [{"rouge1": 1.0, "rouge2": 1.0}] * 4
    lines = margin_lines("set", ids, ours, lead)
    assert lines == [
        "set        half A (   2): R1 +1.00 [+1.00, +1.00]   R2 +0.00 [+0.00, +0.00]",
        "set        half B (   2): R1 +1.00 [+1.00, +1.00]   R2 +0.00 [+0.00, +0.00]",
    ]
