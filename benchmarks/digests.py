"""A digest of real news reports: how many stories its items make against the gold story
clusters, how many messages it takes, and the time it costs the bot once the items are
summarized (grouping: keys + the same-story index; rendering: the messages).

    python -m benchmarks.digests [SET.jsonl] [--copies N]

SET: `precis stories` lines with a gold "story" (default tests/data/stories/ecb_sample.jsonl,
21 ECB+ reports). Each report is summarized by the engine (not timed: the bot summarizes
each item once, for its post or its digest), made an item of a period in the order of the
file, one outlet per report, then grouped and rendered as the bot does
(bot/feeds/digests.py `group_stories`, bot/discord_adapter/digest_embeds.py). With
`--copies N` the set is repeated N times (new ids, the same texts) to time a large period.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from pathlib import Path

from bot.discord_adapter.digest_embeds import digest_pages
from bot.feeds.digest_store import PeriodItem
from bot.feeds.digests import Reported, group_stories
from bot.feeds.rows import StoredItem
from bot.models import Article
from bot.options import Options
from bot.pipeline import analyse

DEFAULT_SET = Path(__file__).resolve().parents[1] / "tests/data/stories/ecb_sample.jsonl"
T0 = dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC)


def _reports(path: Path, copies: int) -> tuple[list[Reported], dict[str, str]]:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    summaries = [analyse(Article(title=r["title"], body=r["text"]), Options(sentences=3))
                 for r in rows]  # fmt: skip
    reported, gold = [], {}
    for copy in range(copies):
        for n, (row, summary) in enumerate(zip(rows, summaries, strict=True)):
            serial = copy * len(rows) + n + 1
            item = StoredItem(
                id=serial, feed_id=serial, key=f"k{serial}", guid=None,
                link=f"https://outlet{n}.example.com/{serial}", title=row["title"],
                published=None, author=None, content_html=row["text"],
            )  # fmt: skip
            seen = T0 + dt.timedelta(minutes=serial)
            reported.append(Reported(PeriodItem(item, f"Outlet {n}", seen), summary))
            gold[str(serial)] = row["story"]  # a copy is the same story again
    return reported, gold


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("set", nargs="?", type=Path, default=DEFAULT_SET)
    parser.add_argument("--copies", type=int, default=1)
    args = parser.parse_args()
    reported, gold = _reports(args.set, max(1, args.copies))
    rounds = 5
    started = time.perf_counter()
    for _ in range(rounds):
        stories = group_stories(reported, sentences=1, max_items=50)
    grouping = (time.perf_counter() - started) / rounds
    content = {"schedule": "daily 08:00", "timezone": "UTC", "start": T0.isoformat(),
               "end": (T0 + dt.timedelta(days=1)).isoformat(), "stories": stories}  # fmt: skip
    started = time.perf_counter()
    for _ in range(rounds):
        pages = digest_pages(content)
    rendering = (time.perf_counter() - started) / rounds
    everything = group_stories(reported, sentences=1, max_items=10 * len(reported))
    print(
        f"items {len(reported)}, gold stories {len(set(gold.values()))}, "
        f"digest stories {len(everything)} (shown {len(stories)}), messages {len(pages)}"
    )
    print(f"grouping {grouping * 1000:.1f} ms ({grouping * 1e6 / len(reported):.0f} µs per item), "
          f"rendering {rendering * 1000:.2f} ms")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
