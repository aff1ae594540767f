"""Our scoring of py3langid's model gives py3langid's answers.

bot.nlp.language loads the model and scores with it itself (less memory,
less time); these tests hold it to `py3langid.LanguageIdentifier`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from bot.nlp.language import _FOLD, _sample, detect_language, rank_languages

DATA = Path(__file__).resolve().parents[1] / "data" / "text"


@pytest.fixture(scope="module")
def reference() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _texts() -> list[str]:
    texts: list[str] = []
    for name in ("cnndm_sample.jsonl", "orangesum_sample.jsonl"):
        with (DATA / name).open(encoding="utf-8") as handle:
            texts.extend(json.loads(line)["article"] for line in handle if line.strip())
    for name in ("de_dpa_style.txt", "es_efe_style.txt", "fr_presstv_seed.txt"):
        texts.append((DATA / name).read_text(encoding="utf-8"))
    texts += ["Hello", "NATO SUMMIT OPENS IN BRUSSELS", "Привет, как дела?", "東京は晴れです。"]
    return texts


def _folded(identifier: LanguageIdentifier, text: str) -> dict[str, float]:
    scores: dict[str, float] = {}
    for label, probability in identifier.rank(text):
        code = _FOLD.get(label, label)
        scores[code] = scores.get(code, 0.0) + probability
    return scores


@pytest.mark.parametrize("text", _texts(), ids=lambda text: text[:20])
def test_same_probabilities_as_py3langid(reference: LanguageIdentifier, text: str) -> None:
    text = _sample(text)
    expected = _folded(reference, text)
    ranked = rank_languages(text)
    assert ranked[0][0] == max(expected, key=expected.__getitem__)
    for code, probability in ranked:
        assert probability == pytest.approx(expected[code], abs=1e-4)


def test_quick_look_agrees_with_the_full_sample(reference: LanguageIdentifier) -> None:
    for text in _texts()[:-4]:
        full = _folded(reference, _sample(text))
        assert detect_language(text) == max(full, key=full.__getitem__)


# -- the decompressed model, kept between runs ----------------------------------------

PROBE = """
import json, sys
import numpy as np
from bot.nlp import language
texts = json.loads(sys.stdin.read())
print(json.dumps({"mapped": isinstance(language._model().weights, np.memmap),
                  "ranks": [language.rank_languages(t)[:3] for t in texts]}))
"""


def _probe(cache: str) -> dict:
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root), "PRECIS_CACHE_DIR": cache}
    texts = json.dumps(_texts()[:40])
    done = subprocess.run([sys.executable, "-c", PROBE], input=texts, capture_output=True,
                          text=True, env=env, timeout=60, check=True)  # fmt: skip
    return json.loads(done.stdout)


def test_the_model_is_decompressed_once_then_mapped_with_the_same_answers(
    tmp_path: Path,
) -> None:
    cache = tmp_path / "cache"
    first = _probe(str(cache))  # decompresses and keeps a copy
    assert not first["mapped"]
    [kept] = cache.iterdir()
    assert kept.name.startswith("langid-v1-") and len(list(kept.glob("*.npy"))) == 6
    second = _probe(str(cache))  # maps the copy: no decompression
    assert second["mapped"] and second["ranks"] == first["ranks"]
    # A damaged copy (a disk that filled up, a file cut short) is never trusted: it is
    # decompressed again, with the same answers, and the copy rewritten.
    weights = kept / "ptc.npy"
    weights.write_bytes(weights.read_bytes()[:1000])
    third = _probe(str(cache))
    assert not third["mapped"] and third["ranks"] == first["ranks"]
    assert _probe(str(cache))["mapped"]


def test_without_a_writable_cache_it_decompresses_each_time(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    assert _probe(str(blocked / "cache"))["ranks"] == _probe("off")["ranks"]
    assert not list(tmp_path.glob("**/*.npy"))
