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
posts or comments in the body's last third ends the article (`html_lines`: trafilatura's
set, half A 0.9343 -> 0.9397, half B 0.9295 -> 0.9307; news pages unchanged), and
advertising disclosures and calls to follow the site on its app go (also `html_lines`: A -> 0.9429,
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
from bot.ingest.html_lines import clean_body, plain
from bot.ingest.html_merge import merge_passes
from bot.ingest.images import page_image
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

# The standfirst: the page's description, where the page shows it above the article and
# both passes left it out (a lead paragraph outside the body's container). At least this
# many words: a shorter description is a label or the site's name.
LEAD_MIN_WORDS = 8
_HIDDEN = frozenset({"script", "style", "noscript", "template", "head", "title", "meta"})


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
    body = clean_body(text, title)
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
    key = plain(description)
    body = plain(text)
    if not key or key[: max(40, len(key) // 2)] in body:
        return None
    shown = plain(" ".join(_visible_text(tree)))
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
