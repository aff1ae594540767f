"""Why a line of pasted text is not article text, judged one line at a time.

Each rule needs a marker that says what the line is (a share button, a "read
more" link, a caption, a byline, a promo, a cookie or newsletter notice, a
date) and looks only at lines short enough to be that; the first rule that
matches names the kind of the line, and a line no rule matches is content.
"""

from __future__ import annotations

import re

from bot.ingest.text_captions import credit_kind
from bot.ingest.text_lexicon import READ_MORE_LABELS, SHARE_LABELS, TAG_LABELS, alternation
from bot.ingest.text_line import (
    CLASSIFY_MAX_WORDS,
    Line,
    count_words_upto,
    ends_sentence,
    word_set,
)
from bot.ingest.text_meta import Meta, attribution_kind, date_kind, is_bare_label
from bot.nlp.tokens import count_words

_I = re.IGNORECASE

_SHARE = re.compile(
    r"^(?:share|share (?:this|on|via|the)\b.*|partager\b.*|partagez\b.*|.*\bteilen|teilen\b.*"
    r"|compartir\b.*|.*\bcompartir|comparte\b.*|condividi\b.*|compartilhe\b.*|tweet|tweeter"
    r"|imprimer|print|drucken|imprimir|e-?mail|envoyer|enviar|copy link|copier le lien"
    r"|link kopieren|copiar (?:el )?enlace"
    rf"|{alternation(SHARE_LABELS)})$",
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
    r"|leggi anche|veja também|leia também"
    rf"|{alternation(READ_MORE_LABELS)})\s*(?:[:：»>|\-–—]|$)",
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
    r"|^(?:tags|mots-clés|mots clés|schlagwörter|stichworte|etiquetas|temas|topics|themen"
    rf"|{alternation(TAG_LABELS)})\s*[:：]"
    r"|^(?:(?:show|view|read|voir|afficher|exibir|ver|mostrar|mostra)\s+)?"
    r"(?:comments?|commentaires?|kommentare?|comentarios?|comentários|commenti|reacties)"
    r"(?:\s*\(?\d+\)?)?$",
    _I,
)
# "Follow Newsbeat on Instagram, Facebook, Twitter and YouTube.": a prompt to follow the
# site or its author on a social network, however it ends.
_FOLLOW = re.compile(
    r"^(?:follow|suivez|suis|folgen|folge|síguenos|sigue|siga|seguici|segui|volg)\b.{0,120}?"
    r"\b(?:facebook|twitter|instagram|youtube|tiktok|linkedin|threads|bluesky|mastodon"
    r"|telegram|whatsapp|snapchat|x\.com)\b",
    _I,
)
_FOLLOW_MAX_WORDS = 16
_WIKI_HEADING = re.compile(r"^={2,6}[^=\n]+={0,6}$")
# Items of a menu or a list glued into one line: "+ New Macs + iPads + Apple Watch".
_LIST_SEPARATOR = re.compile(r"(?:^|\s)[+|•·›»▪◦]\s")
_LIST_MIN_ITEMS = 3
_LIST_ITEM_MAX_WORDS = 5
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


def classify_lines(lines: list[Line], meta: Meta) -> None:
    """`classify` each line not yet known; a source or date label alone on its line is
    read with the short line after it ("Źródło:" / "tvn24.pl, PAP"), and is dropped
    even when no value follows it."""
    for index, line in enumerate(lines):
        if line.kind is not None:
            continue
        if is_bare_label(line.text):
            line.kind = "label"
            following = lines[index + 1] if index + 1 < len(lines) else None
            if (
                following is not None
                and following.kind is None
                and following.block == line.block
                and count_words_upto(following.text, _VALUE_MAX_WORDS) <= _VALUE_MAX_WORDS
            ):
                kind = classify(f"{line.text} {following.text}", meta)
                if kind in ("source", "date"):
                    line.kind = following.kind = kind
            continue
        line.kind = classify(line.text, meta)


_VALUE_MAX_WORDS = 12  # what a label's value on the next line may hold


def classify(line: str, meta: Meta) -> str | None:
    """Why `line` is not article text, or None when it is.

    The rules run in a fixed order and the first that matches says why; those
    that read a source, a byline or a date record it in `meta`.
    """
    n_words = count_words_upto(line, CLASSIFY_MAX_WORDS)
    if n_words == 0:
        return "symbols"
    if line.startswith("==") and _WIKI_HEADING.match(line):
        return "heading"  # wiki markup ("== Gruppen von Ölen =="), never a sentence
    if n_words <= 40 and (_is_glued_list(line) or _is_spaced_cjk_menu(line)):
        return "menu"
    if n_words <= _SECTION_MAX_WORDS and _SECTION_LABEL.match(line):
        return "section"  # a section's name in brackets: "[ 政治・経済 ]", "[ Politics ]"
    lower = line.lower()
    return (
        _navigation_kind(line, lower, n_words)
        or attribution_kind(line, n_words, meta)
        or credit_kind(line, lower, n_words)
        or _prompt_kind(line, lower, n_words)
        or date_kind(line, n_words, meta)
    )


def drop_related_after_source(lines: list[Line]) -> None:
    """A bare "Read also:" (the label alone) after the article's source line heads the
    related stories the page lists after the article: it and every line after it go
    ("SOURCE: Al Watan" / "Read also:" / a headline / its teaser), when they are shorter
    than the text above the source line (a source line under the headline ends nothing).
    Anywhere else a bare label is only dropped itself: the article may go on after it."""
    source = next((i for i, line in enumerate(lines) if line.kind == "source"), None)
    if source is None:
        return
    for index in range(source + 1, len(lines)):
        line = lines[index]
        if line.kind == "read-more" and is_bare_read_more(line.text):
            rest = [later for later in lines[index + 1 :] if later.kind is None]
            above = sum(count_words(x.text) for x in lines[:source] if x.kind is None)
            if sum(count_words(x.text) for x in rest) < above:
                for later in rest:
                    later.kind = "related"
            return


def is_bare_read_more(line: str) -> bool:
    """A "read more" label alone on its line ("Read also:", "Siehe auch"), nothing after it."""
    match = _READ_MORE.match(line)
    return match is not None and not line[match.end() :].strip(" :：»>|-–—")


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
    if n_words <= _FOLLOW_MAX_WORDS and _FOLLOW.match(line):
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


_SECTION_LABEL = re.compile(r"^[\[【［][^\]】］]{1,30}[\]】］]$")
_SECTION_MAX_WORDS = 6
_HAN_KANA = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
_CJK_SENTENCE_MARKS = frozenset("。！？，、；：")
_CJK_MENU_MIN_ITEMS = 4
_CJK_MENU_ITEM_CHARS = 6


def _is_spaced_cjk_menu(line: str) -> bool:
    """Chinese and Japanese prose has no spaces between words: four or more short
    items set apart by spaces, with no sentence mark, are a menu ("1. 首页 新闻中心 廉政
    社会 科技 互联网"). Not Korean, which spaces its words."""
    if not _HAN_KANA.search(line) or _CJK_SENTENCE_MARKS.intersection(line):
        return False
    items = line.split()
    if items and items[0].rstrip(".").isdigit():
        items = items[1:]
    return len(items) >= _CJK_MENU_MIN_ITEMS and all(
        len(item) <= _CJK_MENU_ITEM_CHARS and _HAN_KANA.search(item) for item in items
    )


def _is_glued_list(line: str) -> bool:
    """Three items or more between list separators, each a few words, no sentence."""
    items = _LIST_SEPARATOR.split(line)
    items = [item for item in items if item.strip()]
    if len(items) < _LIST_MIN_ITEMS or len(_LIST_SEPARATOR.findall(line)) < _LIST_MIN_ITEMS - 1:
        return False
    return all(
        count_words_upto(item, _LIST_ITEM_MAX_WORDS) <= _LIST_ITEM_MAX_WORDS
        and not item.rstrip().endswith((".", "!", "?"))
        for item in items
    )
