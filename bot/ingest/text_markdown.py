"""Markdown to the plain text the cleaner reads, and the title it names.

Headings, rules, tables and reference definitions are not sentences of the
article: each becomes a paragraph break. Fenced code, HTML comments and images
are dropped; links, emphasis and inline code keep their text.
"""

from __future__ import annotations

import html
import re

from bot.ingest.text_line import is_heading_like

_FRONT_MATTER = re.compile(r"\A---\n(?P<yaml>.*?)\n(?:---|\.\.\.)\n", re.DOTALL)
_FRONT_TITLE = re.compile(r"^title\s*:\s*(?P<title>.+)$", re.MULTILINE)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_FENCE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^[ ]{0,3}\1[ \t]*$|\Z)", re.DOTALL | re.M)
_ATX = re.compile(r"^[ ]{0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^[ ]{0,3}(=+|-+)[ \t]*$")
_RULE = re.compile(r"^[ ]{0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_TABLE = re.compile(r"^\s*\|.*\|\s*$|^\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?\s*$")
_REF_DEF = re.compile(r"^[ ]{0,3}\[[^\]]+\]:\s*\S+")
_QUOTE_MARK = re.compile(r"^[ ]{0,3}(?:>[ ]?)+")
_LIST_MARK = re.compile(r"^([ \t]*)[*+][ \t]+")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)|!\[[^\]]*\]\[[^\]]*\]")
_LINK = re.compile(r"\[([^\]]+)\]\((?:[^()]|\([^)]*\))*\)|\[([^\]]+)\]\[[^\]]*\]")
_AUTOLINK = re.compile(r"<((?:https?|mailto|ftp):[^>\s]+)>")
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_CODE = re.compile(r"(`+)(.+?)\1")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EM_STAR = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])")
_EM_UNDERSCORE = re.compile(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>|~])")


def _inline(text: str) -> str:
    text = _IMAGE.sub("", text)
    text = _LINK.sub(lambda m: m.group(1) or m.group(2), text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _CODE.sub(lambda m: m.group(2).strip(), text)
    text = _HTML_TAG.sub("", text)
    text = _STRONG.sub(r"\2", text)
    text = _EM_STAR.sub(r"\1", text)
    text = _EM_UNDERSCORE.sub(r"\1", text)
    text = _STRIKE.sub(r"\1", text)
    text = _ESCAPE.sub(r"\1", text)
    return html.unescape(text)


def markdown_to_text(text: str) -> tuple[str, str | None]:
    """The plain text, and the title: the front matter's `title:`, else the first
    heading of level 1 or before any prose."""
    title: str | None = None
    front = _FRONT_MATTER.match(text)
    if front:
        found = _FRONT_TITLE.search(front.group("yaml"))
        if found:
            title = found.group("title").strip().strip("\"'") or None
        text = text[front.end() :]
    text = _COMMENT.sub("", text)
    text = _FENCE.sub("", text)

    raw_lines = text.split("\n")
    out: list[str] = []
    seen_prose = False
    index = 0
    while index < len(raw_lines):
        line = raw_lines[index]
        following = raw_lines[index + 1] if index + 1 < len(raw_lines) else ""
        heading: tuple[int, str] | None = None
        if atx := _ATX.match(line):
            heading = (len(atx.group(1)), atx.group(2))
        elif line.strip() and _SETEXT.match(following) and not _RULE.match(line):
            heading = (1 if following.strip().startswith("=") else 2, line.strip())
            index += 1
        if heading is not None:
            level, heading_text = heading
            heading_text = _inline(heading_text).strip()
            if title is None and heading_text and (level == 1 or not seen_prose):
                title = heading_text
                # whatever came before the title (badges, breadcrumbs) is not the article
                out = [kept for kept in out if not is_heading_like(kept.strip())]
            # Other headings structure the page; they are not sentences of it.
            out.append("")
            index += 1
            continue
        if _RULE.match(line) or _TABLE.match(line) or _REF_DEF.match(line):
            out.append("")
            index += 1
            continue
        line = _QUOTE_MARK.sub("", line)
        line = _LIST_MARK.sub(r"\1- ", line)
        converted = _inline(line)
        if converted.strip():
            seen_prose = seen_prose or not is_heading_like(converted.strip())
        out.append(converted)
        index += 1
    return "\n".join(out), title
