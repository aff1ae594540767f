"""ECB+ (CC BY 3.0, github.com/cltl/ecbPlus; the XML files are also in
github.com/cltl/ECB-parser under `ECB+/`) as `precis stories` input lines with their gold
story: each topic holds two seminal events of the same kind (two celebrities checking into
rehab, two earthquakes), the `ecb` and the `ecbplus` documents — a story each, and the
hardest confounder a story has.

    python -m benchmarks.stories_data ECB+_DIR out.jsonl

Each line: {"id", "title", "text", "language": "en", "story": "<topic>/<ecb|ecbplus>",
"topic": int}. The id is a hash of the file name, so the ids' order (the order items are
grouped in when there is no date) interleaves the stories as a real stream would.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

_NAME = re.compile(r"^(\d+)_(\d+)(ecb|ecbplus)\.xml$")
_NO_SPACE_BEFORE = re.compile(r" ([.,;:!?%)\]}'’]|n't|'s)")
_NO_SPACE_AFTER = re.compile(r"([(\[{$]) ")


def _detokenize(tokens: list[str]) -> str:
    text = " ".join(tokens)
    text = _NO_SPACE_BEFORE.sub(r"\1", text)
    return _NO_SPACE_AFTER.sub(r"\1", text).replace(" - ", "-").replace("`` ", '"')


def _sentences(path: Path) -> list[str]:
    root = ET.parse(path).getroot()
    by_sentence: dict[int, list[str]] = {}
    for tok in root.iter("token"):
        by_sentence.setdefault(int(tok.get("sentence", "0")), []).append(tok.text or "")
    return [_detokenize(words) for _, words in sorted(by_sentence.items())]


def document(path: Path) -> dict[str, object] | None:
    match = _NAME.match(path.name)
    if match is None:
        return None
    topic, _, kind = match.groups()
    # The ecbplus files open with the page's address: its slug would leak the story.
    sentences = [s for s in _sentences(path) if not s.startswith("http")]
    if len(sentences) < 2:
        return None
    return {
        "id": "ecb-" + hashlib.sha1(path.name.encode()).hexdigest()[:10],
        "title": sentences[0],
        "text": " ".join(sentences[1:]),
        "language": "en",
        "story": f"{topic}/{kind}",
        "topic": int(topic),
        "file": path.name,
    }


def documents(root: Path) -> Iterator[dict[str, object]]:
    for path in sorted(root.rglob("*.xml")):
        doc = document(path)
        if doc is not None:
            yield doc


def main(argv: list[str]) -> int:
    root, out = Path(argv[0]), Path(argv[1])
    with out.open("w", encoding="utf-8") as f:
        for doc in documents(root):
            f.write(json.dumps(doc, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
