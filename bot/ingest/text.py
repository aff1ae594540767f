"""Articles pasted as plain text, or written in Markdown.

Text copied from a news page carries the page around the article: a section
name before the headline, photo captions and credits, share buttons, "read
more" links, newsletter prompts, a "SOURCE: ..." line. The rules below are
general (English, French, German, Spanish and more), judged one line at a
time, and each needs strong evidence: a line is dropped only when a marker
says what it is, and a kept line is never rewritten, so every sentence of the
body is a verbatim copy of what was pasted.

The title is taken only when a short line stands alone before the body, so
text that is one long paragraph keeps its first sentence.
"""

from __future__ import annotations

import re

from bot.errors import EmptyInput, LanguageError
from bot.ingest.text_glue import glued_furniture
from bot.ingest.text_line import (
    CLASSIFY_MAX_WORDS,
    QUOTED,
    Line,
    count_words_upto,
    ends_sentence,
    is_heading_like,
    word_set,
)
from bot.ingest.text_markdown import markdown_to_text
from bot.ingest.text_meta import Meta, attribution_kind, date_kind
from bot.models import Article, SourceInfo
from bot.nlp.language import detect_language, rank_languages
from bot.nlp.tokens import count_words

# Lines before the body with fewer words than this are page furniture
# (section names, kickers), not prose.
_STUB_WORDS = 4
# Per-line language must be at least this sure to call a line foreign.
_FOREIGN_CONFIDENCE = 0.9
# How many content lines after the title count as "near the top" (captions).
_CAPTION_ZONE = 3

_I = re.IGNORECASE

# --- line markers -----------------------------------------------------------

_SHARE = re.compile(
    r"^(?:share|share (?:this|on|via|the)\b.*|partager\b.*|partagez\b.*|.*\bteilen|teilen\b.*"
    r"|compartir\b.*|.*\bcompartir|comparte\b.*|condividi\b.*|compartilhe\b.*|tweet|tweeter"
    r"|imprimer|print|drucken|imprimir|e-?mail|envoyer|enviar|copy link|copier le lien"
    r"|link kopieren|copiar (?:el )?enlace)$",
    _I,
)
_SOCIAL = word_set(
    "facebook twitter x whatsapp linkedin pinterest reddit telegram messenger flipboard "
    "email e-mail mail print share tweet copy link bluesky threads mastodon sms imprimer "
    "partager teilen compartir drucken imprimir envoyer enviar"
)
_READ_MORE = re.compile(
    r"^(?:read more|read also|also read|read next|more reading|related(?: articles?| stories"
    r"| content| coverage| news| reading)?|see also|more on (?:this|that)(?: story| topic)?"
    r"|recommended(?: for you)?|you may also like|pour en savoir plus|en savoir plus"
    r"|lire aussi|à lire aussi|a lire aussi|lire également|à lire également|lire la suite"
    r"|voir aussi|à voir aussi|sur le même sujet|dans la même rubrique|lesen sie auch"
    r"|lesen sie mehr|lesen sie hier|mehr zum thema|mehr dazu|auch interessant|weiterlesen"
    r"|siehe auch|das könnte sie auch interessieren|leer más|lee también|lea también"
    r"|lea además|te puede interesar|también te puede interesar|le puede interesar"
    r"|ver también|relacionado|relacionada|noticias relacionadas|más información"
    r"|leggi anche|veja também|leia também)\s*(?:[:：»>|\-–—]|$)",
    _I,
)
_CREDITS_TAIL = re.compile(
    r"^(?:(?:additional )?reporting|writing|editing|edited|compiled|translated) by\b", _I
)
_CAPTION_PAREN = re.compile(
    r"\((?:[^()]{0,60}?\b)?(?:photos?|fotos?|bild|bilder|images?|imagen|imágenes|picture"
    r"|illustration|ilustración|archives?|file photo|archivbild|crédits?|credits?|crédito)"
    r"\b[^()]{0,60}\)\s*\.?$",
    _I,
)
_CAPTION_HEAD = re.compile(
    r"^(?:photos?|fotos?|bild|bilder|image|imagen|picture|crédits? photos?|photo credits?"
    r"|credits?|crédits?|crédito|illustration|ilustración|caption|légende|bildunterschrift"
    r"|bildquelle|pie de foto|fotografía)\s*(?:[:：©|]|by\b|de\b|par\b|von\b)",
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
_PROMO = re.compile(
    r"^(?:advertisement|advertising|publicité|pub|anzeige|werbung|publicidad|sponsored"
    r"|sponsorisé|gesponsert|patrocinado|contenido patrocinado)$"
    r"|^(?:subscribe|sign up|signup|log in|abonnez-vous|abonnez vous|s'abonner|je m'abonne"
    r"|inscrivez-vous|abonnieren|jetzt abonnieren|registrieren sie sich|suscríbete|suscríbase"
    r"|suscribirse|regístrate|follow us|suivez-nous|folgen sie uns|síguenos|click here"
    r"|cliquez ici|hier klicken|haz clic|pulse aquí|listen to this article|écouter cet article"
    r"|écouter l'article|artikel anhören|escuchar (?:este )?(?:artículo|noticia)"
    r"|download (?:the|our) app|téléchargez l'application|laden sie die app)\b"
    r"|^(?:tags|mots-clés|mots clés|schlagwörter|stichworte|etiquetas|temas|topics|themen)"
    r"\s*[:：]"
    r"|^(?:comments?|commentaires?|kommentare?|comentarios?)(?:\s*\(?\d+\)?)?$",
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
_COOKIE = re.compile(r"\bcookies?\b", _I)
_COOKIE_CONTEXT = re.compile(
    r"\b(?:we use|this (?:web)?site uses|uses|utilise|utilisons|verwendet|verwenden|nutzt"
    r"|utiliza|usamos|accept|accepter|akzeptieren|aceptar|consent|einverstanden|policy"
    r"|politique|richtlinie|política|settings|paramètres|einstellungen)\b",
    _I,
)
_NEWSLETTER = re.compile(r"\bnewsletters?\b", _I)
_SIGNUP = re.compile(
    r"\b(?:subscribe|sign up|sign-up|abonn\w*|inscri\w*|suscr\w*|anmeld\w*|registr\w*"
    r"|receive|recevez|erhalten|recibe)\b",
    _I,
)

_WORD_RE = re.compile(r"\w+")
_BREADCRUMB = re.compile(r"\s[>›»|/•·]\s|\s[>›»|/]$")

# --- public API -------------------------------------------------------------


def parse_text(raw: str) -> Article:
    """An Article from text pasted by a person (or extracted from a PDF)."""
    return _build(_normalize(raw), title=None)


def parse_markdown(raw: str) -> Article:
    """An Article from Markdown: the first "# Heading" is the title."""
    plain, title = markdown_to_text(_normalize(raw))
    return _build(plain, title=title)


# --- cleaning ---------------------------------------------------------------


def _normalize(raw: str) -> str:
    if not raw or not raw.strip():
        raise EmptyInput("There is no text to summarize.")
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    return text.replace("\ufeff", "").replace("\u200b", "").replace("\u2028", "\n")


def _blocks(text: str) -> list[Line]:
    lines: list[Line] = []
    block = 0
    for paragraph in re.split(r"\n[ \t\u00a0]*\n", text):
        kept = [line.strip() for line in paragraph.split("\n")]
        kept = [line for line in kept if line]
        if not kept:
            continue
        for line in kept:
            spans = glued_furniture(line)
            if not spans:
                lines.append(Line(line, block))
                continue
            # The text on each side of a cut stays verbatim; what follows a
            # heading starts a new paragraph, as it did on the page.
            position = 0
            for start, end, kind in spans:
                before = line[position:start].strip()
                if before:
                    lines.append(Line(before, block, glued=end == start))
                if end > start:
                    lines.append(Line(line[start:end].strip(), block, kind))
                block += 1
                position = end
            rest = line[position:].strip()
            if rest:
                lines.append(Line(rest, block))
        block += 1
    return lines


def _build(text: str, title: str | None) -> Article:
    lines = _blocks(text)
    if not lines:
        raise EmptyInput("There is no text to summarize.")
    meta = Meta()
    for line in lines:
        if line.kind is None:
            line.kind = _classify(line.text, meta)
    content = [line for line in lines if line.kind is None]

    if title is None:
        title = _take_title(content)
    else:
        _drop_stubs_before_body(content, after_title=True)
    content = [line for line in content if line.kind is None]

    _drop_foreign_captions(content, text)
    content = [line for line in content if line.kind is None]
    _drop_trailing_stubs(content)
    content = [line for line in content if line.kind is None]

    body = _join(content)
    source = SourceInfo(name=meta.source, author=meta.author, published=meta.published)
    return Article(title=title, body=body, source=source, language=None)


def _join(lines: list[Line]) -> str:
    paragraphs: list[list[str]] = []
    current = -1
    for line in lines:
        if line.block != current:
            paragraphs.append([])
            current = line.block
        paragraphs[-1].append(line.text)
    return "\n\n".join("\n".join(paragraph) for paragraph in paragraphs)


def _classify(line: str, meta: Meta) -> str | None:
    """Why `line` is not article text, or None when it is.

    The rules run in a fixed order and the first that matches says why; those
    that read a source, a byline or a date record it in `meta`.
    """
    n_words = count_words_upto(line, CLASSIFY_MAX_WORDS)
    if n_words == 0:
        return "symbols"
    lower = line.lower()
    return (
        _navigation_kind(line, lower, n_words)
        or attribution_kind(line, n_words, meta)
        or _credit_kind(line, lower, n_words)
        or _prompt_kind(line, lower, n_words)
        or date_kind(line, n_words, meta)
    )


def _navigation_kind(line: str, lower: str, n_words: int) -> str | None:
    """Share buttons and "read more" links."""
    if (
        n_words <= 8
        and not line.endswith((".", "?", "!"))
        and (_SHARE.match(line) or _all_social(lower))
    ):
        return "share"
    if n_words <= 40 and _READ_MORE.match(line):
        return "read-more"
    return None


def _credit_kind(line: str, lower: str, n_words: int) -> str | None:
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


def _prompt_kind(line: str, lower: str, n_words: int) -> str | None:
    """Advertising and sign-up prompts, tags, comments, cookie and newsletter notices."""
    if n_words <= 30 and _PROMO.match(line):
        return "promo"
    if (
        n_words <= 40
        and "cookie" in lower
        and _COOKIE.search(line)
        and _COOKIE_CONTEXT.search(line)
    ):
        return "cookies"
    if (
        "newsletter" in lower
        and _NEWSLETTER.search(line)
        and (
            (n_words <= 30 and _SIGNUP.search(line)) or (n_words <= 12 and not ends_sentence(line))
        )
    ):
        return "newsletter"
    return None


def _all_social(lower: str) -> bool:
    tokens = re.findall(r"[\w-]+", lower)
    return bool(tokens) and all(token in _SOCIAL for token in tokens)


def _take_title(content: list[Line]) -> str | None:
    """Pick the headline among the short lines that come before the body.

    Lines before the headline are navigation and are dropped; the result is
    None when no short line stands alone before real body text.
    """
    head: list[Line] = []
    for line in content:
        if not is_heading_like(line.text) or line.glued:
            break
        head.append(line)
    if not head or len(head) == len(content):
        return None
    # The headline is the first line of some length that is neither a
    # breadcrumb ("News › World") nor a pull quote; failing that, any short line.
    chosen = next(
        (
            line
            for line in head
            if count_words(line.text) >= 3
            and not _BREADCRUMB.search(line.text)
            and not QUOTED.match(line.text)
        ),
        None,
    ) or next((line for line in head if count_words(line.text) >= 2), None)
    if chosen is None:
        return None
    index = head.index(chosen)
    following = content[content.index(chosen) + 1]
    if following.block == chosen.block and not _starts_new_line(chosen.text, following.text):
        return None  # the first line of a hard-wrapped paragraph, not a headline
    for line in head[:index]:
        line.kind = "navigation"
    chosen.kind = "title"
    _drop_stubs_before_body(content, after_title=True)
    return chosen.text


def _starts_new_line(line: str, following: str) -> bool:
    """Whether a line break inside a paragraph ends `line` rather than wrapping it.

    Hard-wrapped prose has lines of nearly equal width and often continues in
    lowercase; a heading is much shorter than the line after it.
    """
    first = following.lstrip()[:1]
    if not first or first.islower():
        return False
    return len(line) < 0.7 * len(following)


def _drop_stubs_before_body(content: list[Line], *, after_title: bool) -> None:
    """Very short unpunctuated lines between the title and the body (section
    names, kickers) are page furniture."""
    pending = [line for line in content if line.kind is None]
    for index, line in enumerate(pending):
        if not is_heading_like(line.text) or line.glued:
            break
        following = pending[index + 1] if index + 1 < len(pending) else None
        if (
            after_title
            and count_words(line.text) <= _STUB_WORDS
            and not ends_sentence(line.text)
            and (
                following is None
                or following.block != line.block
                or _starts_new_line(line.text, following.text)
            )
        ):
            line.kind = "stub"


def _drop_trailing_stubs(content: list[Line]) -> None:
    """Short unpunctuated lines after the last sentence: tags, nav, a channel name.

    A short last line that continues the sentence above it (same paragraph,
    no full stop before it) is kept.
    """
    for index in range(len(content) - 1, 0, -1):
        line, before = content[index], content[index - 1]
        if (
            count_words_upto(line.text, _STUB_WORDS) > _STUB_WORDS
            or ends_sentence(line.text)
            or line.glued
        ):
            break
        if before.block == line.block and not ends_sentence(before.text):
            break
        line.kind = "stub"


def _drop_foreign_captions(content: list[Line], text: str) -> None:
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
