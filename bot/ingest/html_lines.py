"""Which lines of an extracted body are the article.

trafilatura's text still holds lines a reader skips: list bullets, table rules, "read
more" and share lines, photo credits, advertising disclosures, calls to follow the site
on its app, and, after the article, headings of related posts, comments or a press
release's contacts with everything under them. `clean_body` keeps the rest, each line
whitespace-normalised, paragraphs separated by blank lines. Every rule needs a marker
that says what the line is, and looks only at lines short enough to be that.
"""

from __future__ import annotations

import re

from bot.ingest.text_classify import classify, is_bare_read_more
from bot.ingest.text_meta import Meta

_I = re.IGNORECASE
_BULLET = re.compile(r"^\s*(?:[-*•▪◦‣]\s+)")
# Lines that are page furniture, not article text. Each needs a marker that says so.
_JUNK = re.compile(
    r"^(?:"
    r"comments?|\d+\s+comments?|show comments|leave a comment|add a comment"
    r"|more:?|more from [^.]{1,60}:?|you may also like\.*|you might also like\.*"
    r"|related:.*|related (?:articles?|stories|content|coverage|news|reading):?"
    r"|read more:?.*|read next:?.*|read also:?.*|also read:?.*|see also:?.*"
    r"|recommended(?: for you)?:?|most (?:read|popular|viewed):?|trending:?"
    r"|advertisement|sponsored(?: content)?|skip advert(?:isement)?|story continues below.*"
    r"|share(?: this)?(?: article| story| post| page)?(?: on| via)?(?:[: ].{0,40})?"
    r"|click to tweet|tweet this|print(?: this)?(?: article| page)?|email(?: this)?(?: article)?"
    r"|copy link|link copied|sign up(?: for| to) (?:our|the) [^.]{0,60}newsletter.*"
    r"|subscribe(?: now| today)?(?: to [^.]{1,60})?[.!]?"
    r"|follow (?:us|[A-Z][^.]{0,40}) on (?:twitter|facebook|instagram|linkedin|youtube|tiktok"
    r"|x\b).*"
    r"|filed under:?.*|tags?:.*|categor(?:y|ies):.*"
    r"|(?:photo|image|picture|video|credit|photograph)s?(?: credit)?:.{0,120}"
    r"|source:\s?[^.]{1,60}\.?"
    r"|(?:additional reporting|reporting|writing|editing) by [^.]{1,200}\.?\)?"
    r"|\(?(?:reporting|writing|editing) by [^)]{1,200}\)?\.?"
    r"|[^.]{0,200}\bcontributed (?:to this (?:report|story|article)|reporting)\b.{0,80}"
    r"|(?:lire aussi|à lire aussi|lire la suite|voir aussi|en savoir plus|partager)\s*:?.*"
    r"|(?:lesen sie auch|mehr zum thema|weiterlesen|teilen)\s*:?.*"
    r")$",
    _I,
)
# What the text door's line classifier calls furniture, in every language it knows: share
# and follow buttons, "read more" links ("Czytaj też: …", "Lue myös:"), sign-up, cookie
# and advertising notices, photo credits ("Fotos: Berliner Feuerwehr"), date lines. Only
# short lines: a long paragraph with a credit glued on ("…Kartellbehörden.Foto: x") stays.
FURNITURE = frozenset({"share", "read-more", "promo", "cookies", "newsletter", "caption", "date"})
FURNITURE_MAX_WORDS = 30
# A short line with a copyright sign is a photo or page credit ("© AFP / MARCO BERTORELLO",
# "© Bundesrat | Frank Bräuer"), not a sentence of the article.
CREDIT_MAX_WORDS = 12
# A short heading in the last third of the body that announces other content ends the
# article: it and every line after it go ("Weitere Themen", "Das könnte dich auch
# interessieren:", "3 Kommentare", "See also" over related links, comments, the site's
# pitch; "Weitere Informationen:", "Kontakt:" over a press release's contacts). Only
# near the end: higher up, "À lire aussi :" is a teaser inside the article, which goes
# on below it. Decided on trafilatura's evaluation set (half A: no snippet of
# the article lost at 2/3, two at 1/2).
TAIL_START = 2 / 3
TAIL_HEAD_MAX_WORDS = 8
_TAIL_HEAD = re.compile(
    r"^(?:(?:das|dies(?:e|es)?)(?:\s+\w+)?\s+könnten?\s+(?:dich|dir|euch|sie|ihnen)"
    r"\s+(?:auch\s+)?interessieren|you\s+(?:might|may)\s+also\s+(?:like|enjoy|be interested in)"
    r"|vous\s+(?:aimerez|pourriez\s+aimer)\s+aussi|(?:also|auch|aussi)\s+(?:on|auf|sur)\s+\S+"
    r"|weitere\s+(?:artikel|themen|beiträge|nachrichten|meldungen|news)(?:\s+zum\s+thema)?"
    r"|ähnliche\s+(?:artikel|beiträge)|verwandte\s+(?:artikel|beiträge|themen)|schon\s+gelesen"
    r"|zum\s+weiterlesen|further\s+reading|more\s+stories|more\s+from\s+.{1,30}"
    r"|weitere\s+informationen|zusatzinformationen|originalpublikation|(?:presse)?kontakt"
    r"|über\s+(?:diese\s+reihe|den\s+autor|die\s+autorin)|about\s+the\s+authors?"
    r"|(?:more|further)\s+information|(?:media\s+|press\s+)?contacts?"
    r"|czytaj\s+więcej|zobacz\s+więcej|polecane(?:\s+\w+)?|kommentierte\s+artikel"
    r"|(?:\d+|no|keine|kein|aucun|sin|nessun)\s+(?:comments?|kommentare?|commentaires?"
    r"|comentarios?|commenti))\s*[:?!.]?$",
    _I,
)
# An advertising or affiliate disclosure ("Anzeige, enthält Affiliate Links", "This post
# contains references to products from one or more of our advertisers. We may receive
# compensation…") is the site's notice, not the article.
DISCLOSURE_MAX_WORDS = 50
_DISCLOSURE = re.compile(
    r"\baffiliate[- ]?links?\b|\b(?:enthält|beinhaltet)\s+(?:werbung|anzeigen?|affiliate)"
    r"|^\W*(?:werbung|anzeige)\s*[.,:|–—-]|\bwe\s+may\s+(?:receive|earn)\s+(?:a\s+)?(?:small\s+)?"
    r"(?:compensation|commission)|\badvertisers?\s+(?:do|does)\s+not\s+influence"
    r"|\bcontains\s+(?:references\s+to\s+products|affiliate|sponsored)",
    _I,
)
# A call to follow the site elsewhere ("download the Nationnews apps for iOS and Android",
# "¿Ya sabías que … tenemos canal de Telegram? Únete…"): an action and a channel.
PROMPT_MAX_WORDS = 30
_PROMPT_ACTION = re.compile(
    r"\b(?:download|sign\s+up|subscribe|join|únete|suscríbete|abonnez|abonniere|mira|folg|follow)",
    _I,
)
_PROMPT_CHANNEL = re.compile(
    r"\b(?:apps?|telegram|youtube|whatsapp|newsletter|podcast|channel|canal|kanal|daily edition)\b",
    _I,
)
_TABLE_RULE = re.compile(r"^\|(?:\s*:?-{3,}:?\s*\|)+\s*$")
_ENDS_WITH_CLICK_TO_TWEET = re.compile(r"\s*click to tweet$", _I)


def _cut_tail(text: str) -> list[str]:
    """The body's lines up to a heading of other content in its last third (TAIL_START)."""
    lines = [
        line for line in (re.sub(r"\s+", " ", raw).strip() for raw in text.split("\n")) if line
    ]
    total = sum(len(line.split()) for line in lines)
    seen = 0
    for index, line in enumerate(lines):
        if seen >= TAIL_START * total and _is_tail_head(line):
            return lines[:index]
        seen += len(line.split())
    return lines


def _is_tail_head(line: str) -> bool:
    if len(line.split()) > TAIL_HEAD_MAX_WORDS:
        return False
    return is_bare_read_more(line.rstrip("?!.")) or _TAIL_HEAD.match(line) is not None


def _is_notice(line: str, words: int) -> bool:
    """An advertising disclosure, or a call to follow the site on its app or channel
    (`words`: the line's word count)."""
    if words <= DISCLOSURE_MAX_WORDS and _DISCLOSURE.search(line):
        return True
    return (
        words <= PROMPT_MAX_WORDS
        and _PROMPT_ACTION.search(line) is not None
        and _PROMPT_CHANNEL.search(line) is not None
    )


def clean_body(text: str, title: str | None) -> str:
    """The article's lines of an extracted body, as paragraphs (see the module docstring)."""
    paragraphs: list[str] = []
    for line in _cut_tail(text):
        line = _BULLET.sub("", line)
        if line.startswith("|"):  # a table row in trafilatura's Markdown-like output
            if _TABLE_RULE.match(line):
                continue
            line = " ".join(cell.strip() for cell in line.strip("| ").split("|") if cell.strip())
        line = _ENDS_WITH_CLICK_TO_TWEET.sub("", line)
        if not line or _JUNK.match(line):
            continue
        words = len(line.split())
        if "©" in line and words <= CREDIT_MAX_WORDS:
            continue
        if words <= FURNITURE_MAX_WORDS and classify(line, Meta()) in FURNITURE:
            continue
        if _is_notice(line, words):
            continue
        paragraphs.append(line)
    # The headline is metadata: drop it where the extractor repeats it at the top.
    if title and paragraphs and plain(paragraphs[0]) == plain(title):
        paragraphs.pop(0)
    return "\n\n".join(paragraphs)


def plain(text: str) -> str:
    """Words only, lowercase, one space apart: to compare a line with another."""
    return re.sub(r"\W+", " ", text).strip().lower()
