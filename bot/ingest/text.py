"""Articles pasted as plain text, or written in Markdown.

Text copied from a news page carries the page around the article: a section
name before the headline, photo captions and credits, share buttons, "read
more" links, newsletter prompts, a "SOURCE: ..." line. The rules are
general (English, French, German, Spanish and more), judged one line at a
time, and each needs strong evidence: a line is dropped only when a marker
says what it is, and a kept line is never rewritten (but for a drop cap copied
apart from its word, "H ong Kong", joined back), so every sentence of the body
is a verbatim copy of what was pasted.

This module is the way in (`parse_text`, `parse_markdown`) and runs the steps
in order; each concern lives in a sibling module, compiled with mypyc too:

- `text_line`: the line record and the measures every rule takes of a line;
- `text_glue`: furniture glued into the prose of a page flattened into one line;
- `text_classify`: why a line is not article text, with `text_captions`
  (captions, credits, captions in another language) and `text_meta` (the
  source, author and date that the dropped lines name);
- `text_title`: the title, and the stubs before and after the body;
- `text_markdown`: Markdown to plain text, and its title.
"""

from __future__ import annotations

import re
import unicodedata

from bot.errors import EmptyInput, PrecisError
from bot.ingest.controls import strip_invisible
from bot.ingest.text_captions import (
    drop_captions_above_credits,
    drop_foreign_captions,
    drop_repeated_lines,
)
from bot.ingest.text_classify import classify_lines, drop_related_after_source
from bot.ingest.text_glue import glued_furniture
from bot.ingest.text_labels import leading_label
from bot.ingest.text_line import Line
from bot.ingest.text_markdown import markdown_to_text
from bot.ingest.text_meta import Meta
from bot.ingest.text_page import (
    drop_author_box,
    drop_page_furniture,
    drop_standfirst,
    headline_with_teaser,
    join_drop_cap,
    looks_like_page,
)
from bot.ingest.text_title import drop_stubs_before_body, drop_trailing_stubs, take_title
from bot.models import Article, SourceInfo
from bot.nlp.language import detect_language

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
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    text = unicodedata.normalize("NFC", strip_invisible(text))  # one form per letter
    if not text.strip():
        raise EmptyInput("There is no text to summarize.")
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
            cut = leading_label(line)
            if cut:
                lines.append(Line(line[:cut].strip(), block, "label"))
                block += 1
                line = line[cut:].strip()
            spans = glued_furniture(line)
            teaser = headline_with_teaser(line)
            if not spans:
                lines.append(Line(line, block, teaser=teaser))
                continue
            # The text on each side of a cut stays verbatim; what follows a
            # heading starts a new paragraph, as it did on the page.
            position = 0
            for start, end, kind in spans:
                before = line[position:start].strip()
                if before:
                    lines.append(Line(before, block, glued=end == start, teaser=teaser))
                if end > start:
                    lines.append(Line(line[start:end].strip(), block, kind, teaser=teaser))
                block += 1
                position = end
            rest = line[position:].strip()
            if rest:
                lines.append(Line(rest, block, teaser=teaser))
        block += 1
    return lines


def _build(text: str, title: str | None) -> Article:
    lines = _blocks(text)
    if not lines:
        raise EmptyInput("There is no text to summarize.")
    meta = Meta()
    classify_lines(lines, meta)
    drop_related_after_source(lines)
    page = looks_like_page([line for line in lines if line.kind is None])
    if page:
        drop_captions_above_credits(lines)
    drop_standfirst(lines)
    content = [line for line in lines if line.kind is None]
    if page:
        language = _language(content)
        drop_page_furniture(lines, language)
        drop_author_box(lines)
        content = [line for line in content if line.kind is None]

    drop_repeated_lines(lines)
    content = [line for line in content if line.kind is None]
    if title is None:
        title = take_title(content)
    else:
        drop_stubs_before_body(content, after_title=True)
    content = [line for line in content if line.kind is None]

    drop_foreign_captions(content, text)
    content = [line for line in content if line.kind is None]
    drop_trailing_stubs(content)
    content = [line for line in content if line.kind is None]
    _join_drop_cap(content)

    body = _join(content)
    source = SourceInfo(name=meta.source, author=meta.author, published=meta.published)
    return Article(title=title, body=body, source=source, language=None)


def _join_drop_cap(content: list[Line]) -> None:
    """A drop cap copied apart from its word, at the start of the body."""
    if content:
        content[0].text = join_drop_cap(content[0].text, lambda: _language(content))


def _language(content: list[Line]) -> str | None:
    sample = "\n".join(line.text for line in content if len(line.text) > 80)[:4000]
    try:
        return detect_language(sample)
    except PrecisError:
        return None


def _join(lines: list[Line]) -> str:
    paragraphs: list[list[str]] = []
    current = -1
    for line in lines:
        if line.block != current:
            paragraphs.append([])
            current = line.block
        paragraphs[-1].append(line.text)
    return "\n\n".join("\n".join(paragraph) for paragraph in paragraphs)
