"""Which language an article is written in.

py3langid's naive-Bayes model ships inside the package, so detection needs
no download. Loading it takes most of a second, so it happens once, on first
use. Classifying is linear in the bytes fed to it; a few well-spread slices of
a long article decide as reliably as the whole text for a fraction of the cost.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from bot.errors import LanguageError

# How many characters of a long text the classifier sees: three slices (start,
# middle, end), so a noisy opening (a caption, a stray English line) cannot
# decide alone.
_SAMPLE_CHARS = 900
_SLICE = _SAMPLE_CHARS // 3

# A hint (e.g. from <html lang>) wins when the best guess is weaker than this
# or when the hint scores at least this fraction of the best guess.
_UNSURE = 0.5
_NEAR_TIE = 0.5

# The model knows some regional varieties that it confuses with a major
# neighbour on ordinary news text; they count toward the neighbour, and
# three-letter labels map to the two-letter code callers expect.
_FOLD = {
    "an": "es",  # Aragonese
    "ext": "es",  # Extremaduran
    "gug": "gn",
    "lij": "it",
    "vec": "it",
    "wa": "fr",  # Walloon
    "arz": "ar",
    "ary": "ar",
    "uzs": "uz",
    "hbo": "he",
    "yue": "zh",
    "wuu": "zh",
    "nn": "no",
}

_LETTER = re.compile(r"[^\W\d_]")
_LANG_TAG = re.compile(r"^\s*([A-Za-z]{2,3})(?:[-_].*)?$")

# ISO 639-1 -> Snowball algorithm name, for every algorithm PyStemmer has
# (see `Stemmer.algorithms()`); "porter" and "dutch_porter" are variants.
_SNOWBALL = {
    "ar": "arabic",
    "hy": "armenian",
    "eu": "basque",
    "ca": "catalan",
    "cs": "czech",
    "da": "danish",
    "nl": "dutch",
    "en": "english",
    "eo": "esperanto",
    "et": "estonian",
    "fi": "finnish",
    "fr": "french",
    "de": "german",
    "el": "greek",
    "hi": "hindi",
    "hu": "hungarian",
    "id": "indonesian",
    "ga": "irish",
    "it": "italian",
    "lt": "lithuanian",
    "ne": "nepali",
    "no": "norwegian",
    "nb": "norwegian",
    "nn": "norwegian",
    "fa": "persian",
    "pl": "polish",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "st": "sesotho",
    "es": "spanish",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}

_lock = threading.Lock()
_model: Any = None


def _identifier() -> Any:
    global _model
    if _model is None:
        with _lock:  # several executor threads may ask at once; load only once
            if _model is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                _model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _model


def _sample(text: str) -> str:
    if len(text) <= _SAMPLE_CHARS:
        return text
    middle = len(text) // 2 - _SLICE // 2
    return "\n".join((text[:_SLICE], text[middle : middle + _SLICE], text[-_SLICE:]))


def rank_languages(text: str) -> list[tuple[str, float]]:
    """Candidate languages of `text` with probabilities, best first.

    Labels are ISO 639-1 where one exists; regional varieties are folded into
    their major language. "zxx" means "no linguistic content". No sampling:
    meant for short texts such as a single paragraph.
    """
    scores: dict[str, float] = {}
    for label, prob in _identifier().rank(text):
        code = _FOLD.get(label, label)
        scores[code] = scores.get(code, 0.0) + prob
    return sorted(scores.items(), key=lambda item: item[1], reverse=True)


def has_letters(text: str, minimum: int = 2) -> bool:
    return any(count >= minimum for count, _ in enumerate(_LETTER.finditer(text), 1))


def _normalize_hint(hint: str | None) -> str | None:
    if not hint:
        return None
    match = _LANG_TAG.match(hint)
    if not match:
        return None
    code = match.group(1).lower()
    return _FOLD.get(code, code)


def detect_language(text: str, hint: str | None = None) -> str:
    """The ISO 639-1 code of the language `text` is written in.

    `hint` (a code or tag such as "fr-FR") only settles near-ties and texts too
    short to judge; it never overrides a clear answer.
    """
    if not has_letters(text, 2):
        raise LanguageError(
            "I could not find any readable words in that text, so I cannot tell its "
            "language. Send an article with ordinary sentences."
        )
    ranked = [item for item in rank_languages(_sample(text)) if item[0] != "zxx"]
    best, best_score = ranked[0]
    wanted = _normalize_hint(hint)
    if wanted and wanted != best:
        hint_score = next((score for code, score in ranked if code == wanted), None)
        if hint_score is not None and (
            best_score < _UNSURE or hint_score >= best_score * _NEAR_TIE
        ):
            return wanted
    return best


def snowball_name(code: str) -> str | None:
    """The Snowball (PyStemmer / sumy) name of a language, or None if it has none."""
    normalized = _normalize_hint(code)
    return _SNOWBALL.get(normalized) if normalized else None
