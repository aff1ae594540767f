"""`precis stories` end to end: a real process, JSON lines in any order, bad lines."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys

from tests.conftest import DATA, ROOT

SAMPLE = DATA / "stories" / "ecb_sample.jsonl"


def _run(stdin: bytes, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "bot", "stories", *args], input=stdin,
                          capture_output=True, cwd=ROOT, timeout=120)  # fmt: skip


def test_stories_groups_shuffled_lines_and_reports_bad_ones() -> None:
    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    random.Random(15).shuffle(rows)
    lines = [json.dumps({k: v for k, v in r.items() if k != "story"}) for r in rows]
    lines[3:3] = [
        "{not json",
        json.dumps({"id": "no-text", "title": "A title only?"}),
        json.dumps({"id": "bad-date", "title": "x", "text": "y", "published": "soon"}),
    ]
    done = _run(("\n".join(lines) + "\n").encode())
    assert done.returncode == 1
    assert b"3 line(s) could not be grouped" in done.stderr
    out = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert len(out) == len(lines)
    assert [o["id"] for o in out[3:6]] == [None, "no-text", "bad-date"]
    assert "not valid JSON" in out[3]["error"] and "published" in out[5]["error"]
    assert "error" in out[4]
    story = {o["id"]: o["story"] for o in out if "story" in o}
    gold = {r["id"]: r["story"] for r in rows}
    assert story.keys() == gold.keys()
    for a in story:
        for b in story:
            if story[a] == story[b]:
                assert gold[a] == gold[b]  # no false merge
    fire = {story[i] for i, g in gold.items() if g == "14/ecbplus"}
    assert len(fire) == 1 and fire <= set(gold)  # a story is named by one of its items


def test_stories_window_and_published_order() -> None:
    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    fire = [r for r in rows if r["story"] == "14/ecbplus"][:3]
    times = ["2013-07-22T09:53:00Z", "2013-07-22T10:24:00+00:00", "2013-07-25T12:00:00"]
    lines = [json.dumps({"id": r["id"], "title": r["title"], "text": r["text"], "published": t})
             for r, t in zip(reversed(fire), reversed(times), strict=True)]  # fmt: skip
    done = _run(("\n".join(lines) + "\n").encode(), "--window-hours", "36")
    assert done.returncode == 0, done.stderr
    story = {o["id"]: o["story"] for o in map(json.loads, done.stdout.decode().splitlines())}
    first, second, late = (r["id"] for r in fire)
    assert story[first] == story[second] == first  # the earliest item names the story
    assert story[late] == late  # three days later: outside the window
    wide = _run(("\n".join(lines) + "\n").encode(), "--window-hours", "1000")
    assert json.loads(wide.stdout.decode().splitlines()[0]) == {"id": late, "story": first}
    wrong = _run(b"", "--window-hours", "0")
    assert wrong.returncode == 2 and b"window" in wrong.stderr


def test_stories_a_line_over_its_budget_or_size_fails_alone() -> None:
    """Each line is analysed in a worker process with the summary budget, as in `batch`:
    a line the engine would chew on for long is killed and gets an error line, a line
    over MAX_FILE_BYTES is refused unread, and the others are grouped as ever."""
    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    fire = [r for r in rows if r["story"] == "14/ecbplus"][:2]
    with (DATA / "eval" / "cnndm.jsonl").open(encoding="utf-8") as handle:
        heavy = "\n\n".join(json.loads(line)["article"] for line in handle) * 4  # ~0.5 s
    one, two = ({k: r[k] for k in ("id", "title", "text")} for r in fire)
    lines = [json.dumps(one), json.dumps({"id": "heavy", "title": "Everything", "text": heavy}),
             json.dumps({"id": "huge", "title": "x", "text": "word " * 600_000}),
             json.dumps(two)]  # fmt: skip
    limit = len(lines[1]) + 10
    env = {**os.environ, "MAX_FILE_BYTES": str(limit)}
    done = subprocess.run([sys.executable, "-m", "bot", "stories", "--timeout", "0.2"],
                          input=("\n".join(lines) + "\n").encode(), capture_output=True,
                          cwd=ROOT, timeout=120, env=env)  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert b"2 line(s) could not be grouped" in done.stderr
    out = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert out[1]["error"].startswith("line 2: That is too complex to summarize")
    mb = f"{limit / 1024 / 1024:g}"
    refused = f"line 3 is longer than the {mb} MB limit (MAX_FILE_BYTES)"
    assert out[2] == {"id": None, "error": refused}
    assert out[0] == {"id": fire[0]["id"], "story": fire[0]["id"]}
    assert out[3] == {"id": fire[1]["id"], "story": fire[0]["id"]}
