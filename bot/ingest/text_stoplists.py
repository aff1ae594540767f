"""Stop words of ~100 languages, from the lists jusText ships, read without importing it.

jusText (a dependency of trafilatura) classifies paragraphs by their share of
stop words; its lists are plain files in the package, one word a line. They
are read directly, as `bot.nlp.stemming` reads sumy's: importing jusText would
import lxml, which the text door has no other use for.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

# ISO 639-1 code (what `bot.nlp.language` answers) -> the name of jusText's list.
_NAMES = {
    "af": "Afrikaans", "ar": "Arabic", "bg": "Bulgarian", "bn": "Bengali", "ca": "Catalan",
    "cs": "Czech", "cy": "Welsh", "da": "Danish", "de": "German", "el": "Greek",
    "en": "English", "eo": "Esperanto", "es": "Spanish", "et": "Estonian", "eu": "Basque",
    "fa": "Persian", "fi": "Finnish", "fr": "French", "ga": "Irish", "gl": "Galician",
    "he": "Hebrew", "hi": "Hindi", "hr": "Croatian", "hu": "Hungarian", "hy": "Armenian",
    "id": "Indonesian", "is": "Icelandic", "it": "Italian", "ka": "Georgian", "kk": "Kazakh",
    "ko": "Korean", "la": "Latin", "lt": "Lithuanian", "lv": "Latvian", "mk": "Macedonian",
    "ms": "Malay", "nb": "Norwegian_Bokmal", "nl": "Dutch", "nn": "Norwegian_Nynorsk",
    "no": "Norwegian_Bokmal", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian",
    "ru": "Russian", "sk": "Slovak", "sl": "Slovenian", "sq": "Albanian", "sr": "Serbian",
    "sv": "Swedish", "sw": "Swahili", "ta": "Tamil", "tl": "Tagalog", "tr": "Turkish",
    "uk": "Ukrainian", "ur": "Urdu", "uz": "Uzbek", "vi": "Vietnamese",
}  # fmt: skip


def _folder() -> Path | None:
    spec = importlib.util.find_spec("justext")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "stoplists"


@lru_cache(maxsize=16)
def stop_words(language: str) -> frozenset[str]:
    """jusText's stop words for an ISO 639-1 code (lowercase), or an empty set."""
    name = _NAMES.get(language)
    folder = _folder()
    if name is None or folder is None:
        return frozenset()
    try:
        text = (folder / f"{name}.txt").read_text(encoding="utf-8")
    except OSError:
        return frozenset()
    return frozenset(word.strip().lower() for word in text.splitlines() if word.strip())
