"""The text of a PDF: pypdf reads the pages (`bot.ingest.pdf_read`, within limits),
then the lines become paragraphs.

pypdf gives each page's text line by line, twice: as plain text, and in layout
mode, whose blank lines show the vertical gaps between paragraphs. Running
headers, footers and page numbers are dropped; wrapped lines are re-flowed into
paragraphs and line-end hyphenation is undone.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter

from bot.errors import NotAnArticle
from bot.ingest.pdf_read import read_pages

_PAGE_NUMBER = re.compile(
    r"^(?:[-–—(\[]\s*)?(?:page\s+|p\.\s*|seite\s+)?\d{1,4}(?:\s*(?:/|of|sur|von)\s*\d{1,4})?"
    r"(?:\s*[-–—)\]])?$",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"""[.!?:;…]["'’”»)\]]*$""")
_EDGE_LINES = 3  # how many lines at the top and bottom of a page may be header/footer

# The joining rules look at most this far back into a paragraph (longer words are no compounds).
_TAIL = 128
_HYPHEN_END = re.compile(r"\w[-\u00ad]$")
_HYPHENATED_WORD = re.compile(r"(\w+)[-\u00ad]$")


def pdf_to_text(data: bytes) -> str:
    """The text of a PDF as paragraphs separated by blank lines."""
    plain, layout = read_pages(data)
    page_lines = [_clean_lines(text) for text in plain]
    if not any(line for lines in page_lines for line in lines):
        raise NotAnArticle(
            "That PDF has no text Précis can read: it is probably scanned pages (images). "
            "Send a PDF with selectable text, or paste the text itself."
        )
    page_lines = _drop_headers_and_footers(page_lines)
    starts = _paragraph_starts(layout)
    paragraphs = _join_lines([line for lines in page_lines for line in lines], starts)
    text = "\n\n".join(paragraphs).strip()
    if not text:
        raise NotAnArticle("That PDF has no text Précis can read.")
    return text


def _clean_lines(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.strip().split("\n")]


def _edge_key(line: str) -> str:
    return re.sub(r"\d+", "#", line.lower()).strip()


def _drop_headers_and_footers(pages: list[list[str]]) -> list[list[str]]:
    """Drop page numbers, and lines repeated at the same place on top or bottom of most pages."""
    edges: list[list[tuple[int, tuple[int, str]]]] = []
    for lines in pages:
        content = [i for i, line in enumerate(lines) if line]
        top = [(i, (n, _edge_key(lines[i]))) for n, i in enumerate(content[:_EDGE_LINES])]
        bottom = [
            (i, (-1 - n, _edge_key(lines[i])))
            for n, i in enumerate(reversed(content[-_EDGE_LINES:]))
        ]
        edges.append(top + bottom)
    counts: Counter[tuple[int, str]] = Counter()
    for page_edges in edges:
        counts.update({key for _, key in page_edges})
    needed = max(2, (len(pages) + 1) // 2)
    repeated = {key for key, n in counts.items() if n >= needed and key[1]}

    cleaned: list[list[str]] = []
    for lines, page_edges in zip(pages, edges, strict=True):
        drop = {i for i, key in page_edges if key in repeated or _PAGE_NUMBER.match(lines[i])}
        cleaned.append([line for i, line in enumerate(lines) if i not in drop])
    return cleaned


def _paragraph_starts(layout_pages: list[str]) -> set[str]:
    """Lines that follow a vertical gap in pypdf's layout rendering: paragraph starts."""
    starts: set[str] = set()
    for text in layout_pages:
        previous_blank = False
        seen = 0
        for raw in text.split("\n"):
            line = re.sub(r"\s+", " ", raw).strip()
            if not line:
                previous_blank = True
                continue
            seen += 1
            # Below a running header the gap says nothing: the paragraph may go on
            # from the previous page, so the text heuristics decide there.
            if previous_blank and seen > _EDGE_LINES:
                starts.add(line)
            previous_blank = False
    return starts


class _Paragraph:
    """A paragraph being re-flowed: its pieces, joined once at the end, and its last
    `_TAIL` characters, which are all the joining rules look at. Appending a line costs
    the line's length, so re-flowing a document costs its length (the former string
    concatenation and end-of-paragraph regex re-read the whole paragraph on every line)."""

    def __init__(self, line: str) -> None:
        self.parts = [line]
        self.tail = line[-_TAIL:]
        self.length = len(line)

    def add(self, line: str, *, separator: str = "", drop_last: bool = False) -> None:
        if drop_last:  # the last part is a line (never empty) ending with the hyphen
            self.parts[-1] = self.parts[-1][:-1]
            self.tail = self.tail[:-1]
            self.length -= 1
        self.parts.append(separator + line if separator else line)
        self.tail = (self.tail + separator + line)[-_TAIL:]
        self.length += len(separator) + len(line)

    @property
    def whole_tail(self) -> bool:
        """Whether `tail` is the whole paragraph (no word of it is cut off)."""
        return self.length == len(self.tail)

    def text(self) -> str:
        return "".join(self.parts)


def _join_lines(lines: list[str], starts: set[str]) -> list[str]:
    """Re-flow wrapped lines into paragraphs and undo line-end hyphenation."""
    widths = [len(line) for line in lines if len(line) > 20]
    width = statistics.median(sorted(widths)[len(widths) // 2 :]) if widths else 60

    words = Counter(re.findall(r"\w+(?:-\w+)*", " ".join(lines).lower()))
    paragraphs: list[str] = []
    current: _Paragraph | None = None
    previous = ""
    for line in lines:
        if not line:
            if current is not None:
                paragraphs.append(current.text())
            current, previous = None, ""
            continue
        if current is not None and _breaks_before(previous, line, starts, width):
            paragraphs.append(current.text())
            current = None
        if current is None:
            current = _Paragraph(line)
        elif _HYPHEN_END.search(current.tail) and line[:1].islower():
            current.add(line, drop_last=not _keeps_hyphen(current, line, words))
        elif current.tail.endswith("\u00ad"):
            current.add(line, drop_last=True)
        else:
            current.add(line, separator=" ")
        previous = line
    if current is not None:
        paragraphs.append(current.text())
    return [re.sub(r"\s+", " ", p).strip() for p in paragraphs if p.strip()]


def _keeps_hyphen(current: _Paragraph, line: str, words: Counter[str]) -> bool:
    """Whether a word split at a line end keeps its hyphen: "infor-" + "mation" ->
    "information", but a compound ("well-" + "known") the document spells that way
    elsewhere keeps it. A word longer than `_TAIL` is no compound anyone spells."""
    head = _HYPHENATED_WORD.search(current.tail)
    tail = re.match(r"\w+", line)
    if head is None or tail is None or not current.tail.endswith("-"):
        return False
    if head.start() == 0 and not current.whole_tail:
        return False  # the word runs on before the tail: longer than any compound
    compound = f"{head.group(1)}-{tail.group(0)}".lower()
    joined = f"{head.group(1)}{tail.group(0)}".lower()
    return words[compound] > 0 and words[compound] >= words[joined]


def _breaks_before(previous: str, line: str, starts: set[str], width: float) -> bool:
    if line in starts:
        return True
    short = len(previous) < 0.7 * width
    if short and _SENTENCE_END.search(previous):
        return True  # the last line of a paragraph rarely fills the column
    # A short line without end punctuation followed by a capital: a heading.
    return short and len(previous) < 0.5 * width and line[:1].isupper()
