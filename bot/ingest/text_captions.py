"""Photo captions, credits and copyright lines, and captions in another language.

A caption or a credit is recognised by its marker: "Photo:", "(Photo AFP)", a
picture agency, a copyright sign, "Reporting by". A caption without one is
still dropped when it stands near the top in another language than the
article; the language of a line is told by its function words, or failing
that by the statistical model.
"""

from __future__ import annotations

import re

from bot.errors import LanguageError
from bot.ingest.text_line import (
    CLASSIFY_MAX_WORDS,
    QUOTED,
    Line,
    count_words_upto,
    ends_sentence,
    word_set,
)
from bot.nlp.language import detect_language, rank_languages

# Per-line language must be at least this sure to call a line foreign.
_FOREIGN_CONFIDENCE = 0.9
# How many content lines after the title count as "near the top" (captions).
_CAPTION_ZONE = 3

_I = re.IGNORECASE

_CREDITS_TAIL = re.compile(
    r"^(?:(?:additional )?reporting|writing|editing|edited|compiled|translated) by\b", _I
)
_CAPTION_PAREN = re.compile(
    r"\((?:[^()]{0,60}?\b)?(?:photos?|fotos?|bild|bilder|images?|imagen|imágenes|picture"
    r"|illustration|ilustración|archives?|file photo|archivbild|crédits?|credits?|crédito"
    r"|צילום|تصوير|фото|zdjęcie|fotoğraf|φωτογραφία)"
    r"\b[^()]{0,60}\)\s*\.?$",
    _I,
)
_CAPTION_HEAD = re.compile(
    r"^(?:photos?|fotos?|bild|bilder|image|imagen|picture|videos?|vídeos?|crédits? photos?"
    r"|photo credits?|credits?|crédits?|crédito|illustration|ilustración|caption|légende"
    r"|bildunterschrift|bildquelle|pie de foto|fotografía|צילום|تصوير|фото|zdjęcie|fotoğraf"
    r"|φωτογραφία)\s*(?:[:：©|]|by\b|de\b|par\b|von\b)",
    _I,
)
_CAPTION_TAIL = re.compile(
    r"(?:^|[.!?)|–—-]\s*)(?:photos?|fotos?|bild|image|imagen|credits?|crédits?|crédito|picture)"
    r"\s*[:：©]\s*[^!?:]{1,60}$",
    _I,
)
_CAPTION_AGENCY = re.compile(
    r"getty images|shutterstock|\bistock(?:photo)?\b|\balamy\b|imago images|\bkeystone\b"
    r"|picture[- ]alliance|\bafp photo\b|\bap photo\b|reuters photo|\bepa-efe\b|wikicommons"
    r"|wikimedia commons|\bvia getty\b|[\w.]/(?:AFP|Reuters|AP|EPA|dpa|EFE|Getty)\b",
    _I,
)
_COPYRIGHT = re.compile(
    r"©|\(c\)\s*\d{4}|\bcopyright\b|all rights reserved|tous droits réservés"
    r"|alle rechte vorbehalten|todos los derechos reservados",
    _I,
)
# Lowercase words without which _CAPTION_AGENCY and _COPYRIGHT cannot match.
_AGENCY_HINTS = (
    "getty", "shutterstock", "istock", "alamy", "imago", "keystone", "picture", "photo",
    "epa-efe", "wiki", "/",
)  # fmt: skip
_COPYRIGHT_HINTS = ("©", "(c)", "copyright", "rights", "droits", "rechte", "derechos")
_FURNITURE_HINTS = re.compile(
    "|".join(re.escape(hint) for hint in (*_AGENCY_HINTS, *_COPYRIGHT_HINTS))
)
_WORD_RE = re.compile(r"\w+")
# A credit standing alone under its caption: "Image: Hanwha Q cells", "Foto: EFE".
_CREDIT_ALONE_MAX_WORDS = 8
_CAPTION_MAX_WORDS = 60
_LIST_MARK = re.compile(r"^[*+•·-]\s+")


def credit_kind(line: str, lower: str, n_words: int) -> str | None:
    """A credits line ("Reporting by ..."), a photo caption or credit, a copyright notice."""
    # The unanchored patterns are slow on long lines; each runs only when a
    # word it needs is there at all.
    hinted = n_words <= CLASSIFY_MAX_WORDS and _FURNITURE_HINTS.search(lower) is not None
    agency = hinted and any(hint in lower for hint in _AGENCY_HINTS)
    copyright_ = hinted and any(hint in lower for hint in _COPYRIGHT_HINTS)
    if n_words <= 40 and _CREDITS_TAIL.match(line):
        return "credits"
    if n_words <= 80 and (
        _CAPTION_PAREN.search(line)
        or _CAPTION_HEAD.match(line)
        or _CAPTION_TAIL.search(line)
        or (agency and _CAPTION_AGENCY.search(line))
    ):
        return "caption"
    if n_words <= 40 and copyright_ and _COPYRIGHT.search(line):
        return "copyright"
    return None


def drop_captions_above_credits(lines: list[Line]) -> None:
    """A photo's credit on a line of its own ("Image: Hanwha Q cells") follows the
    photo's caption: the line of prose just above it, when short enough to be one,
    is that caption, not the article's. Only on a whole page pasted: in an article
    pasted alone, a credit may stand under a photo without a caption, between two
    paragraphs of the article. A gallery copies its caption twice or more (once as a
    list item): the copies right above it go with it."""
    for index in range(1, len(lines)):
        line, above = lines[index], lines[index - 1]
        if line.kind != "caption" or above.kind is not None:
            continue
        if count_words_upto(line.text, _CREDIT_ALONE_MAX_WORDS) > _CREDIT_ALONE_MAX_WORDS:
            continue
        if not _CAPTION_HEAD.match(line.text):
            continue
        if count_words_upto(above.text, _CAPTION_MAX_WORDS) > _CAPTION_MAX_WORDS:
            continue
        above.kind = "caption"
        caption = _LIST_MARK.sub("", above.text)
        back = index - 2
        while back >= 0 and lines[back].kind is None:
            if _LIST_MARK.sub("", lines[back].text) != caption:
                break
            lines[back].kind = "caption"
            back -= 1


def drop_foreign_captions(content: list[Line], text: str) -> None:
    """Lines at the top in another language than the article are captions
    (news pages often keep the agency's English caption on a translated story).

    Only lines before the first paragraph in the article's language are
    judged, except those that do not end like a sentence; quoted lines are
    always kept, since a quotation may well be in another language.
    """
    zone = content[:_CAPTION_ZONE]
    if len(content) <= len(zone):
        return
    # The statistical model costs a fraction of a millisecond per call, so it
    # is only asked about a line when the function words do not already show
    # that the line is in the article's language (they do for almost all).
    article_guess = _function_word_language(text[:_GUESS_CHARS])
    article_language: str | None = None
    body_started = False
    for line in zone:
        n_words = count_words_upto(line.text, CLASSIFY_MAX_WORDS)
        if n_words < 5 or n_words > 80 or QUOTED.match(line.text):
            continue
        if article_guess is not None and _function_word_language(line.text) == article_guess:
            body_started = True
            continue
        if article_language is None:
            try:
                article_language = detect_language(text)
            except LanguageError:
                return
        language, confidence = rank_languages(line.text)[0]
        if language == article_language:
            body_started = True
        elif confidence >= _FOREIGN_CONFIDENCE and (
            not body_started or not ends_sentence(line.text)
        ):
            line.kind = "foreign-caption"


# Frequent function words of the languages pasted most; a word may belong to
# several languages. Enough of them, with a clear winner, tell the language
# of a line without the statistical model.
_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": word_set(
        "the of and to in is was that for on with as by at from it he his said are were "
        "has have be this which an their not"
    ),
    "fr": word_set(
        "le la les des du de et est une un dans pour que qui sur au aux pas par avec il "
        "elle ce ont été sont plus son ses cette"
    ),
    "de": word_set(
        "der die das und ist nicht mit den von zu im ein eine auf dem sich des auch für "
        "wird sind hat wurde bei"
    ),
    "es": word_set("el los las del y que en por con una para es se al como más su fue ha sido lo"),
    "it": word_set("il della che di per gli è non con una sono nel alla dei delle anche del"),
    "pt": word_set("o os da do que em não uma com para é dos das no na foi ao pelo"),
    "nl": word_set("de het een van en is niet op dat met voor zijn werd ook aan bij"),
}
_LANGUAGES_OF: dict[str, tuple[str, ...]] = {}
for _language, _words_of in _FUNCTION_WORDS.items():
    for _word in _words_of:
        _LANGUAGES_OF[_word] = (*_LANGUAGES_OF.get(_word, ()), _language)
_GUESS_CHARS = 1500
_GUESS_MIN_HITS = 3


def _function_word_language(text: str) -> str | None:
    """The language whose function words dominate `text`, or None when unclear."""
    hits: dict[str, int] = {}
    languages_of = _LANGUAGES_OF.get
    for word in _WORD_RE.findall(text.lower()):
        for language in languages_of(word, ()):
            hits[language] = hits.get(language, 0) + 1
    if not hits:
        return None
    ranked = sorted(hits.values(), reverse=True)
    best = max(hits, key=hits.__getitem__)
    second = ranked[1] if len(ranked) > 1 else 0
    if ranked[0] < _GUESS_MIN_HITS or ranked[0] < 1.5 * second:
        return None
    return best


# A lowercase letter, then two capitals: "ŁodziTVN24" -> "Łodzi TVN24".
_GLUED_CAPITALS = re.compile(r"(?<=[^\W\d_])(?<![A-ZÀ-ÞА-ЯЁ])(?=[A-ZÀ-ÞА-ЯЁ]{2})")
_NOT_WORD = re.compile(r"\W+")
_REPEATED_MAX_WORDS = 20


def drop_repeated_lines(lines: list[Line]) -> None:
    """A short line that is no sentence and stands twice in the text is the caption of a
    video or gallery (a carousel copies it, sometimes with the agency glued on:
    "Relacja z Łodzi" / "Relacja z ŁodziTVN24"), or a menu copied twice: every copy goes.
    The text's first line (a headline that a page repeats) stays."""
    keys: list[tuple[Line, str, str | None]] = []
    count: dict[str, int] = {}
    for line in lines:  # copies already named (a credit, a caption) count too
        if (
            ends_sentence(line.text)
            or count_words_upto(line.text, _REPEATED_MAX_WORDS) > _REPEATED_MAX_WORDS
        ):
            continue
        spaced = _GLUED_CAPITALS.sub(" ", line.text)
        key = _NOT_WORD.sub(" ", spaced.casefold()).strip()
        if not key:
            continue
        # The same line with a credit glued on: its key without its last word.
        glued = key.rsplit(" ", 1)[0] if spaced != line.text and " " in key else None
        keys.append((line, key, glued))
        count[key] = count.get(key, 0) + 1
        if glued is not None:
            count[glued] = count.get(glued, 0) + 1
    first = next((line for line in lines if line.kind is None), None)
    for line, key, glued in keys:
        if line is first or line.kind is not None:
            continue
        if count[key] >= 2 or (glued is not None and count[glued] >= 2):
            line.kind = "repeated"
