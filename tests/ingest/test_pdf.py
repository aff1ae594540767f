"""PDFs built to exhaust a reader, and PDF text assembly on hostile shapes.

Every hostile PDF must end in one `PrecisError` (a refusal a user can read)
within seconds: pypdf's own `LimitReachedError` used to escape as is, and some
shapes ran for minutes. The bombs are written byte by byte (benchmarks/hostile.py).

The re-flow of lines into paragraphs must cost the length of the document: it
used to rebuild and re-scan the growing paragraph on every line (10,000 lines of
a PDF took 33 s, 20,000 took 194 s). The reference below is that former code,
kept to prove the linear one gives the same paragraphs on ordinary input.
"""

from __future__ import annotations

import re
import statistics
import time
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks import hostile
from bot.errors import TooLarge
from bot.ingest.pdf import _breaks_before, _join_lines, pdf_to_text
from bot.ingest.pdf_read import MAX_PAGES
from bot.pipeline import FileSource, article_from_file
from tests.helpers.deadline import deadline

# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(hostile.exponential_page_tree_pdf, id="page tree of 2^24 pages in 3 KB"),
        pytest.param(hostile.page_references_pdf, id="300,000 references to one page"),
        pytest.param(hostile.flate_bomb_pdf, id="content inflating to 200 MB"),
        pytest.param(hostile.big_stream_pdf, id="60 MB content stream"),
        pytest.param(hostile.form_amplification_pdf, id="a form drawn 4,000 times"),
    ],
)
def test_pdf_bombs_are_refused_quickly(build: object) -> None:
    data = build()  # type: ignore[operator]
    with deadline(15), pytest.raises(TooLarge, match="too large or too intricate"):
        article_from_file(FileSource(data, name="report.pdf"))


def test_too_many_pages_are_refused_with_the_count() -> None:
    data = hostile.text_pdf([[f"Page {n} of the report."] for n in range(MAX_PAGES + 1)])
    with pytest.raises(TooLarge, match=f"{MAX_PAGES + 1} pages; Précis reads at most {MAX_PAGES}"):
        pdf_to_text(data)


def test_a_kerned_line_of_30000_arrays_reads_in_linear_time() -> None:
    # pypdf's layout mode is quadratic on it (~20 min); the page is read without it.
    # Layout errors are swallowed (it is only a hint), so the deadline alone cannot
    # tell: the time is asserted too.
    started = time.perf_counter()
    with deadline(30):
        text = pdf_to_text(hostile.kerned_line_pdf(30_000))
    assert time.perf_counter() - started < 10
    assert text.startswith("The council approved the new budget on Monday evening")
    assert text.count("x yz") >= 29_000


def test_ordinary_pages_keep_their_layout_hints() -> None:
    lines = [f"Line {i} of a paragraph that runs on and on" for i in range(30)]
    pages = [[*lines[:10], "", *lines[10:]] for _ in range(3)]
    assert pdf_to_text(hostile.text_pdf(pages)).count("\n\n") >= 2


# --------------------------------------------------------------------------- re-flow


def _reference_join_lines(lines: list[str], starts: set[str]) -> list[str]:
    """The former, quadratic re-flow (string concatenation, regex over the paragraph)."""
    widths = [len(line) for line in lines if len(line) > 20]
    width = statistics.median(sorted(widths)[len(widths) // 2 :]) if widths else 60
    words = Counter(re.findall(r"\w+(?:-\w+)*", " ".join(lines).lower()))
    paragraphs: list[str] = []
    current = ""
    previous = ""
    for line in lines:
        if not line:
            if current:
                paragraphs.append(current)
            current, previous = "", ""
            continue
        if current and _breaks_before(previous, line, starts, width):
            paragraphs.append(current)
            current = ""
        if not current:
            current = line
        elif re.search(r"\w[-\u00ad]$", current) and line[:1].islower():
            head = re.search(r"(\w+)[-\u00ad]$", current)
            tail = re.match(r"\w+", line)
            joined_hyphen = False
            if head and tail and current.endswith("-"):
                compound = f"{head.group(1)}-{tail.group(0)}".lower()
                joined = f"{head.group(1)}{tail.group(0)}".lower()
                joined_hyphen = words[compound] > 0 and words[compound] >= words[joined]
            current = current + line if joined_hyphen else current[:-1] + line
        elif current.endswith("\u00ad"):
            current = current[:-1] + line
        else:
            current = f"{current} {line}"
        previous = line
    if current:
        paragraphs.append(current)
    return [re.sub(r"\s+", " ", p).strip() for p in paragraphs if p.strip()]


# Lines made of the pieces that drive the rules: words that recur whole and split,
# hyphens and soft hyphens at line ends, sentence ends, capitals, blank lines.
_PIECES = ["well", "known", "infor", "mation", "signi", "ficant", "Council", "The", "a", "x1"]
_LINE = st.lists(
    st.one_of(
        st.sampled_from(_PIECES),
        st.sampled_from(["well-known", "-", "\u00ad", ".", "…", "”", " ", "  ", "\t"]),
        st.text(alphabet="ab-\u00ad. Ké", max_size=6),
    ),
    max_size=8,
).map("".join)


@settings(derandomize=True, max_examples=400, deadline=None)
@given(lines=st.lists(_LINE.map(str.strip), max_size=30), pick=st.randoms(use_true_random=False))
def test_linear_reflow_gives_the_former_paragraphs(lines: list[str], pick: object) -> None:
    starts = {line for line in lines if line and pick.random() < 0.2}  # type: ignore[attr-defined]
    assert _join_lines(lines, starts) == _reference_join_lines(lines, starts)


def test_reflow_of_long_words_matches_the_reference_below_the_tail() -> None:
    # Words longer than the look-back are never compounds; shorter ones still are.
    lines = ["the well-known fact and a well-", "known word", "x" * 200 + "-", "known"]
    assert _join_lines(lines, set()) == _reference_join_lines(lines, set())


def test_many_short_lines_reflow_in_linear_time() -> None:
    lines = [f"word{i} alpha beta" for i in range(200_000)]  # one paragraph of 3.6 MB
    with deadline(10):
        started = time.perf_counter()
        (paragraph,) = _join_lines(lines, set())
    assert paragraph.startswith("word0 alpha beta word1 alpha beta")
    assert paragraph.endswith("word199999 alpha beta")
    assert time.perf_counter() - started < 5


def test_an_endless_hyphenated_word_reflows_in_linear_time() -> None:
    lines = ["Start of a long word:", *(["ab-"] * 150_000), "cd."]
    with deadline(10):
        (paragraph,) = _join_lines(lines, set())
    assert paragraph == "Start of a long word: " + "ab" * 150_000 + "cd."
