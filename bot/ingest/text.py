"""Articles pasted as plain text, or written in Markdown.

Text copied from a news page carries the page around the article: a section
name before the headline, photo captions and credits, share buttons, "read
more" links, newsletter prompts, a "SOURCE: ..." line. The rules below are
general (English, French, German, Spanish and more), judged one line at a
time, and each needs strong evidence: a line is dropped only when a marker
says what it is, and a kept line is never rewritten, so every sentence of the
body is a verbatim copy of what was pasted.
"""

from __future__ import annotations

import re

from bot.errors import EmptyInput
from bot.ingest.text_captions import credit_kind, drop_foreign_captions
from bot.ingest.text_glue import glued_furniture
from bot.ingest.text_line import (
    CLASSIFY_MAX_WORDS,
    Line,
    count_words_upto,
    ends_sentence,
    word_set,
)
from bot.ingest.text_markdown import markdown_to_text
from bot.ingest.text_meta import Meta, attribution_kind, date_kind
from bot.ingest.text_title import drop_stubs_before_body, drop_trailing_stubs, take_title
from bot.models import Article, SourceInfo

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
        title = take_title(content)
    else:
        drop_stubs_before_body(content, after_title=True)
    content = [line for line in content if line.kind is None]

    drop_foreign_captions(content, text)
    content = [line for line in content if line.kind is None]
    drop_trailing_stubs(content)
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
        or credit_kind(line, lower, n_words)
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
