"""Dev-set halves and the paired bootstrap: is a margin over Lead-3 real?

A few hundred articles leave a ROUGE mean a point or more of noise, and a
knob tried on a whole dev set fits that noise. So each set is cut into two
fixed halves: rows sorted by id, even positions make half A, odd ones half
B (the file's order plays no part, so appending or shuffling rows moves no
article between halves). A change is decided on half A and confirmed on half
B; the benchmark prints both.

The interval is the paired bootstrap's (Koehn 2004; Berg-Kirkpatrick et al.
2012): resample the articles of a half with replacement, take the mean of
(Précis - Lead-3) over each resample, and report the 2.5th and 97.5th
percentiles. Paired, because both systems summarise the same articles: the
spread between articles, which is large, cancels out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

RESAMPLES = 2000
SEED = 12  # fixed: the printed interval is the same on every run


def split_halves(ids: Sequence[str]) -> tuple[list[int], list[int]]:
    """Row indices of half A and half B: rows sorted by id, alternately; each
    half's indices in file order."""
    order = sorted(range(len(ids)), key=lambda i: (ids[i], i))
    return sorted(order[0::2]), sorted(order[1::2])


def paired_bootstrap(
    ours: Sequence[float],
    theirs: Sequence[float],
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> tuple[float, float, float]:
    """Mean of ours - theirs over paired items, and the 95 % bootstrap interval."""
    if len(ours) != len(theirs):
        raise ValueError("paired scores must come in pairs")
    if not ours:
        return 0.0, 0.0, 0.0
    diff = np.asarray(ours, dtype=float) - np.asarray(theirs, dtype=float)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(diff), size=(resamples, len(diff)))
    means = diff[picks].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(diff.mean()), float(low), float(high)


def margin_lines(
    name: str,
    ids: Sequence[str],
    ours: Sequence[Mapping[str, float]],
    lead: Sequence[Mapping[str, float]],
) -> list[str]:
    """One line per half: the default's ROUGE-1 / ROUGE-2 over Lead-3 with intervals."""
    lines = []
    for label, rows in zip("AB", split_halves(ids), strict=True):
        cells = []
        for metric in ("rouge1", "rouge2"):
            mean, low, high = paired_bootstrap(
                [ours[i][metric] for i in rows], [lead[i][metric] for i in rows]
            )
            short = "R1" if metric == "rouge1" else "R2"
            cells.append(f"{short} {mean:+.2f} [{low:+.2f}, {high:+.2f}]")
        lines.append(f"{name:<10} half {label} ({len(rows):>4}): " + "   ".join(cells))
    return lines
