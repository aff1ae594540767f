"""Byte-identical output across restructures: the engine and renderer on every article."""

from __future__ import annotations

import json

from tests.snapshots import engine


def test_engine_output_is_unchanged() -> None:
    before = engine.recorded()
    after = engine.current()
    assert [r["name"] for r in after] == [r["name"] for r in before]
    for old, new in zip(before, after, strict=True):
        for key in sorted(set(old) | set(new)):
            assert json.dumps(new.get(key), sort_keys=True, ensure_ascii=False) == json.dumps(
                old.get(key), sort_keys=True, ensure_ascii=False
            ), f"{old['name']}: {key} changed (re-record only for an intended change: "
            "python -m tests.snapshots.engine --write)"
