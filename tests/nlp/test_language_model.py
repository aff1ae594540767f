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
