"""The engine's output on every article the tests hold: summary JSON, embed, text, Markdown.

`python -m tests.snapshots.engine --write` records it (tests/data/snapshots/engine.jsonl.gz);
tests/snapshots/test_snapshots.py compares. A restructure must leave it byte-identical.
"""

from __future__ import annotations

import gzip
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
SNAPSHOT = DATA / "snapshots" / "engine.jsonl.gz"


def inputs() -> Iterator[tuple[str, Any]]:
    """(name, source) for every article: the dev sets' texts, files of every kind, the seed."""
    from bot.pipeline import FileSource, TextSource

    for name in ("cnndm.jsonl", "orangesum.jsonl"):
        with (DATA / "eval" / name).open(encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                yield f"eval/{name}:{row['id']}", TextSource(row["article"])
    for folder in ("articles", "files", "html", "text", "ner"):
        for path in sorted((DATA / folder).iterdir()):
            if path.suffix in (".txt", ".md", ".html"):
                yield f"{folder}/{path.name}", FileSource(path.read_bytes(), name=path.name)
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        yield f"seeds/{path.name}", FileSource(path.read_bytes(), name=path.name)


def record(name: str, source: Any) -> dict[str, Any]:
    from bot.discord_adapter.embeds import embed_dict
    from bot.errors import PrecisError
    from bot.pipeline import Options, summarize_local
    from bot.render import to_json_dict, to_markdown, to_text

    out: dict[str, Any] = {"name": name}
    for sentences in (1, 3):
        try:
            _, summary = summarize_local(source, Options(sentences=sentences))
        except PrecisError as exc:
            out[f"error{sentences}"] = f"{type(exc).__name__}: {exc}"
            continue
        out[f"json{sentences}"] = to_json_dict(summary)
        out[f"embed{sentences}"] = embed_dict(summary)
        out[f"embed_feed{sentences}"] = embed_dict(summary, feed_name="A <b>Feed</b> *name*")
        out[f"text{sentences}"] = to_text(summary)
        out[f"markdown{sentences}"] = to_markdown(summary)
    return out


def current() -> list[dict[str, Any]]:
    return [record(name, source) for name, source in inputs()]


def recorded() -> list[dict[str, Any]]:
    with gzip.open(SNAPSHOT, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def write(rows: list[dict[str, Any]]) -> None:
    SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(SNAPSHOT, "wb", mtime=0) as raw:
        for row in rows:
            raw.write((json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n").encode())


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        rows = current()
        write(rows)
        print(f"wrote {len(rows)} records to {SNAPSHOT}")
