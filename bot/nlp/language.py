"""Which language an article is written in.

py3langid's naive-Bayes model ships inside the package, so detection needs
no download. We load that model ourselves and score with it here rather than
through `py3langid.LanguageIdentifier`, for three reasons measured on news
articles (tests check that the answers are py3langid's):

- memory: py3langid's loader holds two copies of its 39 MB automaton while
  loading, which made the first summary peak at ~190 MB; reading each array
  straight into its final buffer keeps the peak at one copy;
- speed: its table of feature weights is float16, and numpy has no fast
  float16 matrix product (the score of 900 characters took 50 µs of
  arithmetic); widening only the rows a text uses costs 3 µs;
- regional varieties are folded into their major language once, at load
  time, instead of on every call.

Classifying is linear in the bytes fed to it, and the automaton's tables are
far bigger than the CPU caches, so every byte is a cache miss that slows the
rest of the pipeline too. A long article is first judged on a short sample
(three slices of 100 characters); only when that is not clearly one language
does a larger one (three slices of 300) decide.
"""

from __future__ import annotations

import lzma
import math
import os
import re
import shutil
import tempfile
import threading
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.errors import LanguageError

# How many characters of a long text the classifier sees: three slices (start,
# middle, end), so a noisy opening (a caption, a stray English line) cannot
# decide alone. The quick look's answer is kept when it is at least _SURE: on
# the eval sets that is every CNN/DM and OrangeSum article and 96% of the
# extraction pages, and every answer that differed from the larger sample's
# had a confidence under 0.75.
_QUICK_CHARS = 300
_SAMPLE_CHARS = 900
_SURE = 0.95

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

# "No linguistic content": never an answer of detect_language.
_NO_LANGUAGE = "zxx"


@dataclass(frozen=True)
class _Model:
    """py3langid's model: a byte automaton that finds n-gram features, and
    naive-Bayes weights per feature and language."""

    # Flat integer arrays seen through memoryviews: indexing one is nearly as
    # fast as a list, without a 36-byte Python int per entry (8 MB saved).
    # (Typed as sequences: mypyc, which compiles this module, has no
    # memoryview type.)
    nextmove: Sequence[int]  # next state = nextmove[rowbase[state] + byte]
    rowbase: Sequence[int]  # state -> offset of its row of 256 transitions
    output: Sequence[int]  # state -> the feature it completes, or -1
    weights: np.ndarray  # (features, columns) float16 log P(feature | language)
    prior: np.ndarray  # (columns,) float32 log P(language)
    group: np.ndarray  # column -> index in `codes` (aliases and varieties folded)
    codes: tuple[str, ...]  # our language codes, in order of first column


_lock = threading.Lock()
_loaded: _Model | None = None


def _model() -> _Model:
    loaded = _loaded
    if loaded is None:
        with _lock:  # several executor threads may ask at once; load only once
            loaded = _load_once()
    return loaded


def _load_once() -> _Model:
    """The model, loaded by the first caller (called under `_lock`).

    A function of its own so that `_loaded` is read afresh after the lock is
    taken: checked twice in one function, mypy takes the second read to be
    None still, and the compiled module would reject the model another
    thread loaded meanwhile."""
    global _loaded
    if _loaded is None:
        _loaded = _load_model()
    return _loaded


_ARRAYS = ("nextmove", "nextmove_row", "out_feat", "ptc", "pc", "classes")


def _load_model() -> _Model:
    arrays = _load_cached()
    if arrays is None:
        arrays = _decompress()
        _store_cached(arrays)
    rows, row_of_state, output, weights, prior, classes = (arrays[n] for n in _ARRAYS)
    labels = classes.tolist()
    codes: dict[str, int] = {}
    group = [codes.setdefault(_FOLD.get(label, label), len(codes)) for label in labels]
    return _Model(
        nextmove=rows.data,
        rowbase=(row_of_state.astype(np.uint32) << 8).data,
        output=output.data,
        weights=weights,
        prior=prior.astype(np.float32),
        group=np.array(group, dtype=np.intp),
        codes=tuple(codes),
    )


def _decompress() -> dict[str, np.ndarray[Any, Any]]:
    """The arrays of py3langid's model file: an .npz (an uncompressed zip of .npy arrays)
    inside xz, decompressed to a temporary file, as py3langid does, so the 70 MB archive
    is never in memory, then each array read once into its final buffer (~0.25 s)."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    with tempfile.TemporaryFile(suffix=".npz") as archive_file:
        with lzma.open(MODEL_DIR / MODEL_FILE) as source:
            shutil.copyfileobj(source, archive_file, length=1 << 20)
        archive_file.seek(0)
        with zipfile.ZipFile(archive_file) as archive:
            arrays = {}
            for name in _ARRAYS:
                with archive.open(name + ".npy") as member:
                    arrays[name] = np.lib.format.read_array(member, allow_pickle=False)
    return arrays


def _cache_dir() -> Path | None:
    """Where the decompressed model is kept between runs, keyed by the model file, so a
    new process maps it (shared with every other process, ~1 ms) instead of decompressing
    it again. PRECIS_CACHE_DIR, else $XDG_CACHE_HOME/precis or ~/.cache/precis; "off" (or
    no writable place, as in the read-only container) decompresses every time."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    base = os.environ.get("PRECIS_CACHE_DIR", "").strip()
    if base.lower() in ("off", "0", "none"):
        return None
    try:
        root = Path(base) if base else Path(
            os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        ) / "precis"
        stat = (MODEL_DIR / MODEL_FILE).stat()
    except (OSError, RuntimeError):
        return None
    return root / f"langid-v1-{stat.st_size}-{stat.st_mtime_ns}"


def _load_cached() -> dict[str, np.ndarray[Any, Any]] | None:
    folder = _cache_dir()
    if folder is None or not folder.is_dir():
        return None
    try:
        return {
            name: np.load(folder / (name + ".npy"), mmap_mode="r", allow_pickle=False)
            for name in _ARRAYS
        }
    except (OSError, ValueError):
        return None  # damaged or half-deleted: decompress again (and rewrite it)


def _store_cached(arrays: dict[str, np.ndarray[Any, Any]]) -> None:
    folder = _cache_dir()
    if folder is None:
        return
    staging: Path | None = None
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=folder.parent))
        for name, array in arrays.items():
            np.save(staging / (name + ".npy"), array, allow_pickle=False)
        if folder.exists():  # a damaged copy (files mapped elsewhere stay valid)
            shutil.rmtree(folder, ignore_errors=True)
        staging.rename(folder)  # atomic: another process sees all of it or none
    except OSError:  # read-only or full: decompressing each time still works
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)


def _probabilities(text: str) -> np.ndarray[Any, Any]:
    """P(language | text) for each code of `_Model.codes`, as py3langid's
    `LanguageIdentifier(norm_probs=True)` computes it."""
    model = _model()
    if text.isupper():
        text = text.lower()
    data = unicodedata.normalize("NFC", text).encode("utf-8", errors="surrogatepass")
    nextmove, rowbase, output = model.nextmove, model.rowbase, model.output
    found: list[int] = []
    state = 0
    for byte in data:
        state = nextmove[rowbase[state] + byte]
        feature = output[state]
        if feature >= 0:
            found.append(feature)
    if found:
        # Count each feature: sorted, equal ones are neighbours (a compiled
        # loop here costs a tenth of np.unique on a few hundred features).
        found.sort()
        distinct: list[int] = []
        repeats: list[int] = []
        previous = -1
        for feature in found:
            if feature == previous:
                repeats[-1] += 1
            else:
                distinct.append(feature)
                repeats.append(1)
                previous = feature
        features = np.array(distinct, dtype=np.intp)
        counts = np.array(repeats, dtype=np.float32)
        # Widen only the rows this text uses: a float16 matrix product has no
        # fast path in numpy.
        rows = model.weights[features].astype(np.float32)
        scores = np.log1p(counts) @ rows + model.prior
    else:
        scores = np.zeros(len(model.prior), dtype=np.float32)
    # py3langid's calibration: a temperature of sqrt(bytes), then softmax.
    scores *= np.float32(1.0 / math.sqrt(len(data) or 1))
    np.exp(scores - scores.max(), out=scores)
    scores /= scores.sum()
    return np.bincount(model.group, weights=scores, minlength=len(model.codes))


def _sample(text: str, size: int = _SAMPLE_CHARS) -> str:
    if len(text) <= size:
        return text
    part = size // 3
    middle = len(text) // 2 - part // 2
    return "\n".join((text[:part], text[middle : middle + part], text[-part:]))


def rank_languages(text: str) -> list[tuple[str, float]]:
    """Candidate languages of `text` with probabilities, best first.

    Labels are ISO 639-1 where one exists; regional varieties are folded into
    their major language. "zxx" means "no linguistic content". No sampling:
    meant for short texts such as a single paragraph.
    """
    probabilities = _probabilities(text)
    codes = _model().codes
    order = np.argsort(-probabilities, kind="stable")
    return [(codes[i], float(probabilities[i])) for i in order.tolist()]


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
    probabilities = _probabilities(_sample(text, _QUICK_CHARS))
    best, best_score = _best(probabilities)
    if best_score < _SURE and len(text) > _QUICK_CHARS:
        probabilities = _probabilities(_sample(text, _SAMPLE_CHARS))
        best, best_score = _best(probabilities)
    wanted = _normalize_hint(hint)
    codes = _model().codes
    if wanted and wanted != best and wanted != _NO_LANGUAGE and wanted in codes:
        hint_score = float(probabilities[codes.index(wanted)])
        if best_score < _UNSURE or hint_score >= best_score * _NEAR_TIE:
            return wanted
    return best


def _best(probabilities: np.ndarray[Any, Any]) -> tuple[str, float]:
    """The likeliest language that is a language (not "zxx"), and its probability."""
    codes = _model().codes
    ranked = probabilities.copy()
    if _NO_LANGUAGE in codes:
        ranked[codes.index(_NO_LANGUAGE)] = -1.0
    index = int(np.argmax(ranked))  # the first of equals, as a stable sort would give
    return codes[index], float(probabilities[index])


def snowball_name(code: str) -> str | None:
    """The Snowball (PyStemmer / sumy) name of a language, or None if it has none."""
    normalized = _normalize_hint(code)
    return _SNOWBALL.get(normalized) if normalized else None
