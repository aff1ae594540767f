"""The article in an HTML page: body text and metadata.

trafilatura does the extraction. Measured on /work/shared/eval/extraction
(`.venv/bin/python benchmarks/extraction.py`, token F1): its default
`extract()` scores 0.945; leaving out comments 0.959; precision mode 0.961 —
better on most pages, but now and then it throws the article away, so we fall
back to recall mode when precision kept less than half of recall's words
(0.970). General line rules (headline repeated as the first line, list
bullets, table pipes, "read more"/share/follow lines, contributor credits,
short "©" credits) then clean the body: 0.974. Captions and images are left out
by trafilatura.

When precision mode is kept, the paragraphs it dropped and recall mode has are
weighed one by one (`html_merge`: long prose before or between the kept
paragraphs comes back, in order). On trafilatura's own evaluation set
(`benchmarks/trafilatura_eval.py`, its snippet scorer) that moved F1 from 0.924
to 0.927 (half A 0.926 -> 0.930, half B 0.921 -> 0.923). jusText's reading of the page
then has a say (`html_blocks`): article prose both passes cut off comes back, trailing
boilerplate headings go (half A 0.930 -> 0.932, half B 0.924 -> 0.926, precision not lower;
news pages 0.9744 -> 0.9746). Last, a body the site cut into chunks of one kind around an
ad is read whole (`html_chunks`: trafilatura takes the first chunk only; news pages
0.9746 -> 0.9841, two WIRED pages from 0.52 and 0.62 to 0.99). A heading of related
posts or comments in the body's last third ends the article (`_cut_tail`: trafilatura's
set, half A 0.9343 -> 0.9397, half B 0.9295 -> 0.9307; news pages unchanged), and
advertising disclosures and calls to follow the site on its app go (`_is_notice`: A -> 0.9429,
B -> 0.9310).
The page's standfirst, shown above the article but outside the container both passes
read, opens the body (`_visible_lead`: A -> 0.9496, B -> 0.9408; news pages, whose truth
leaves it out, 0.9838 -> 0.9818).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
import warnings
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
import trafilatura
from lxml import etree

from bot.errors import NotAnArticle
from bot.ingest.html_blocks import page_blocks, second_opinion
from bot.ingest.html_chunks import continued_chunks
from bot.ingest.html_merge import merge_passes
from bot.ingest.images import page_image
from bot.ingest.text_classify import classify, is_bare_read_more
from bot.ingest.text_meta import Meta
from bot.models import Article, SourceInfo
from bot.nlp.tokens import count_words

# trafilatura and the libraries it calls log their own ERROR/WARNING lines for pages they
# cannot read ("empty HTML tree", "discarding data"); we turn each of those into one clear
# NotAnArticle for the user, so their lines are noise in a log or on `precis batch`'s stderr.
for _noisy in ("trafilatura", "htmldate", "courlan", "justext"):
    logging.getLogger(_noisy).setLevel(logging.CRITICAL)

# Precision mode's text is used unless it is shorter than this share of recall mode's.
PRECISION_KEEP_RATIO = 0.5
# Fewer words than this is not an article body.
MIN_BODY_WORDS = 12

_OPTIONS: dict[str, Any] = {
    "include_comments": False,
    "include_images": False,
    "include_links": False,
    "include_formatting": False,
    "with_metadata": True,
    "deduplicate": False,
}

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
# The standfirst: the page's description, where the page shows it above the article and
# both passes left it out (a lead paragraph outside the body's container). At least this
# many words: a shorter description is a label or the site's name.
LEAD_MIN_WORDS = 8
_HIDDEN = frozenset({"script", "style", "noscript", "template", "head", "title", "meta"})
_TABLE_RULE = re.compile(r"^\|(?:\s*:?-{3,}:?\s*\|)+\s*$")
_ENDS_WITH_CLICK_TO_TWEET = re.compile(r"\s*click to tweet$", _I)


# Extraction costs ~2 s per MB of HTML (two trafilatura passes). A page above TRIM_ABOVE
# first loses what is never article text — scripts (JSON-LD metadata kept), styles,
# SVG, comments — in one linear pass; what is still above MAX_HTML_CHARS is cut there
# (a news article sits in the first megabytes of any real page). Normal pages are
# untouched, so their extraction does not change.
TRIM_ABOVE = 1_000_000
MAX_HTML_CHARS = 2_000_000
_NOT_TEXT = re.compile(
    r"<script(?![^>]*application/ld\+json)[^>]*>.*?</script\s*>|<style[^>]*>.*?</style\s*>"
    r"|<svg[^>]*>.*?</svg\s*>|<!--.*?-->",
    re.IGNORECASE | re.DOTALL,
)


def _bounded(html: str) -> str:
    if len(html) <= TRIM_ABOVE:
        return html
    return _NOT_TEXT.sub(" ", html)[:MAX_HTML_CHARS]


def extract_html(html: str, url: str | None = None) -> Article:
    """The main article text of a page (paragraphs separated by blank lines) and its metadata."""
    if not html or not html.strip():
        raise NotAnArticle("The page is empty: there is no article to summarize.")
    # One canonical form (NFC), as every other door gives: "য়" written as one code point
    # or as two is the same letter, and a name is found however the page encoded it.
    html = unicodedata.normalize("NFC", _bounded(html))
    tree = _parse(html)
    if tree is None:
        raise NotAnArticle("I could not read that page as HTML.")

    precise = _run(html, url, favor_precision=True)
    broad = _run(html, url, favor_recall=True)
    chosen = precise
    text = getattr(precise, "text", None) or ""
    if _words(precise) < PRECISION_KEEP_RATIO * _words(broad):
        chosen = broad
        text = getattr(broad, "text", None) or ""
    elif broad is not None:
        text = merge_passes(text, getattr(broad, "text", None) or "")
    if chosen is None:
        raise NotAnArticle("I found no article on that page.")
    text = second_opinion(text, page_blocks(tree))
    text = continued_chunks(text, tree)
    lead = _visible_lead(tree, text)
    if lead:
        text = f"{lead}\n{text}"

    title = _clean_title(getattr(chosen, "title", None))
    body = _clean_body(text, title)
    # Words by spaces, or as `count_words` counts them where words are not spaced
    # (Chinese, Japanese, Thai).
    if max(len(body.split()), count_words(body)) < MIN_BODY_WORDS:
        raise NotAnArticle(
            "I found no article on that page: it has too little text "
            "(it may be a home page, a video, or need JavaScript or a login)."
        )

    return Article(
        title=title,
        body=body,
        source=SourceInfo(
            name=_site_name(getattr(chosen, "sitename", None), tree, url),
            url=_canonical_url(tree, url),
            author=_author(getattr(chosen, "author", None)),
            published=_date(getattr(chosen, "date", None)),
        ),
        language=_language(tree),
        image=page_image(tree, url),
    )


# --------------------------------------------------------------------------- extraction


def _parse(html: str) -> Any:
    try:
        # lxml refuses str input that carries an encoding declaration; strip it.
        text = re.sub(r"^\s*<\?xml[^>]*\?>", "", html, count=1)
        return lxml.html.fromstring(text)
    except (etree.ParserError, ValueError):
        return None


def _run(
    html: str, url: str | None, *, favor_precision: bool = False, favor_recall: bool = False
) -> Any:
    # trafilatura parses the string itself: its loader repairs more broken pages than
    # handing it our lxml tree, and it prunes the tree it works on.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return trafilatura.bare_extraction(
                html,
                url=url,
                favor_precision=favor_precision,
                favor_recall=favor_recall,
                **_OPTIONS,
            )
        except (ValueError, TypeError, etree.LxmlError):
            return None


def _words(document: Any) -> int:
    text = getattr(document, "text", None) if document is not None else None
    return len(text.split()) if text else 0


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()


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


def _is_notice(line: str) -> bool:
    """An advertising disclosure, or a call to follow the site on its app or channel."""
    words = len(line.split())
    if words <= DISCLOSURE_MAX_WORDS and _DISCLOSURE.search(line):
        return True
    return (
        words <= PROMPT_MAX_WORDS
        and _PROMPT_ACTION.search(line) is not None
        and _PROMPT_CHANNEL.search(line) is not None
    )


def _clean_body(text: str, title: str | None) -> str:
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
        if "©" in line and len(line.split()) <= CREDIT_MAX_WORDS:
            continue
        if len(line.split()) <= FURNITURE_MAX_WORDS and classify(line, Meta()) in FURNITURE:
            continue
        if _is_notice(line):
            continue
        paragraphs.append(line)
    # The headline is metadata: drop it where the extractor repeats it at the top.
    if title and paragraphs and _norm(paragraphs[0]) == _norm(title):
        paragraphs.pop(0)
    return "\n\n".join(paragraphs)


# --------------------------------------------------------------------------- metadata


def _visible_lead(tree: Any, text: str) -> str | None:
    """The page's standfirst, when both passes left it out: its description (`<meta
    name="description">`, `og:description`) where the page also shows it, above the
    body's first paragraph, and the body does not already hold it."""
    description = _meta(tree, "description", "og:description", "twitter:description")
    if not description:
        return None
    description = re.sub(r"\s+", " ", description.replace("\ufeff", "")).strip()
    if len(description.split()) < LEAD_MIN_WORDS or description.endswith(("...", "…")):
        return None  # a label, or a description cut short: no paragraph of the page
    key = _norm(description)
    body = _norm(text)
    if not key or key[: max(40, len(key) // 2)] in body:
        return None
    shown = _norm(" ".join(_visible_text(tree)))
    at = shown.find(key)
    first = " ".join(body.split()[:8])
    start = shown.find(first) if first else -1
    if at < 0 or (start >= 0 and at > start):
        return None  # only in the page's metadata, or below the article's start
    return description


def _visible_text(tree: Any) -> list[str]:
    """The page's text nodes, in order, without scripts, styles and the head."""
    parts: list[str] = []
    for element in tree.iter():
        if isinstance(element.tag, str) and element.tag not in _HIDDEN and element.text:
            parts.append(element.text)
        if element.tail:
            parts.append(element.tail)
    return parts


def _meta(tree: Any, *names: str) -> str | None:
    for name in names:
        for attr in ("property", "name", "itemprop"):
            found = tree.xpath(f'//meta[@{attr}="{name}"]/@content')
            for value in found:
                value = str(value).strip()
                if value:
                    return value
    return None


def _clean_title(title: str | None) -> str | None:
    if not title:
        return None
    title = re.sub(r"\s+", " ", title).strip()
    return title or None


def _site_name(found: str | None, tree: Any, url: str | None) -> str | None:
    name = found or _meta(tree, "og:site_name", "application-name", "publisher")
    if name:
        name = re.sub(r"\s+", " ", name).strip()
        if name and not name.lower().startswith(("http://", "https://")):
            return name
    host = urlsplit(url).hostname if url else None
    if host:
        return host.removeprefix("www.")
    return None


def _canonical_url(tree: Any, url: str | None) -> str | None:
    candidates = [str(h).strip() for h in tree.xpath('//link[@rel="canonical"]/@href')]
    og = _meta(tree, "og:url")
    if og:
        candidates.append(og)
    for candidate in candidates:
        absolute = urljoin(url or "", candidate)
        if urlsplit(absolute).scheme in ("http", "https") and urlsplit(absolute).netloc:
            return absolute
    return url


def _author(author: str | None) -> str | None:
    if not author:
        return None
    author = re.sub(r"\s+", " ", author).strip()
    return author or None


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _language(tree: Any) -> str | None:
    root = tree.getroottree().getroot()
    candidates = [
        root.get("lang"),
        root.get("{http://www.w3.org/XML/1998/namespace}lang"),
        _meta(tree, "og:locale", "language", "content-language"),
    ]
    candidates += [str(v) for v in tree.xpath('//meta[@http-equiv="content-language"]/@content')]
    for value in candidates:
        if not value:
            continue
        code = re.split(r"[-_]", value.strip().lower(), maxsplit=1)[0]
        if re.fullmatch(r"[a-z]{2}", code):
            return code
    return None
