"""jusText's blocks as a second opinion on trafilatura's text, on a real page."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import lxml.html
from justext.core import (
    ParagraphMaker,
    classify_paragraphs,
    preprocessor,
    revise_paragraph_classification,
)
from justext.paragraph import Paragraph

from bot.ingest.files import decode_text
from bot.ingest.html import extract_html
from bot.ingest.html_blocks import page_blocks, revise, second_opinion

EVAL = Path(__file__).resolve().parent.parent / "data" / "html" / "trafilatura_eval"
PAGE = EVAL / "munich2022.com-topathleten.html"


def html() -> str:
    return decode_text(PAGE.read_bytes(), is_html=True)


def test_paragraphs_above_an_embedded_post_come_back_in_order() -> None:
    # Both trafilatura passes start below the consent box of an embedded tweet and lose
    # the article's first paragraphs; jusText has them as good text at the same tag path.
    paragraphs = extract_html(html()).body.split("\n\n")
    first = next(i for i, p in enumerate(paragraphs) if p.startswith("Der amtierende"))
    assert "Weltjahresbestleistung von 6,02 m" in paragraphs[first]
    assert paragraphs[first + 1].startswith("Duplantis sorgte für Gesprächsstoff")
    assert any("dass ich viel Selbstvertrauen habe," in p for p in paragraphs)
    assert any(p.startswith('"Was macht mehr Sinn') for p in paragraphs)
    # ... before the paragraphs trafilatura kept, which stay in place.
    kept = next(i for i, p in enumerate(paragraphs) if p.startswith("Der französische"))
    assert kept > first
    # The consent box, its label, the photo credit and the tag list stay out.
    text = "\n".join(paragraphs)
    for furniture in ("Um Deine persönlichen Daten", "Externer Inhalt", "Getty Images", "Tags"):
        assert furniture not in text


def test_nothing_comes_back_when_it_would_be_a_small_share_of_the_text() -> None:
    tree = lxml.html.fromstring(html())
    blocks = page_blocks(tree)
    starts = ("Der französische", "Nach seiner")
    kept = "\n".join(b.text for b in blocks if b.text.startswith(starts))
    # Two kept paragraphs, five article paragraphs above them: they come back ...
    assert "Der amtierende" in second_opinion(kept, blocks)
    # ... but next to a long text the same five are too small a share to trust.
    long_text = kept + "\n" + "\n".join(["Ein langer Absatz über etwas anderes. " * 60] * 10)
    assert second_opinion(long_text, blocks) == long_text


def test_page_blocks_leave_the_tree_alone() -> None:
    tree = lxml.html.fromstring(html())
    before = lxml.html.tostring(tree)
    assert any(b.good for b in page_blocks(tree))
    assert lxml.html.tostring(tree) == before


def _justext_revise(classes: list[str]) -> list[str]:
    paragraphs = []
    for cls in classes:
        paragraph = Paragraph.__new__(Paragraph)
        paragraph.cf_class, paragraph.heading, paragraph.text_nodes = cls, False, ["x"]
        paragraphs.append(paragraph)
    revise_paragraph_classification(paragraphs, 150)
    return [p.class_type for p in paragraphs]


def test_revise_agrees_with_justext_on_every_short_sequence() -> None:
    # Every sequence of up to 6 classes, then the real page's own.
    for length in range(7):
        for classes in itertools.product(("good", "bad", "short", "neargood"), repeat=length):
            assert revise(list(classes)) == _justext_revise(list(classes)), classes
    tree = lxml.html.fromstring(html())
    paragraphs = ParagraphMaker.make_paragraphs(preprocessor(tree))
    classify_paragraphs(paragraphs, frozenset({"der", "die", "und"}), 50, 150, 0.1, 0.2, 0.25, True)
    classes = [p.cf_class for p in paragraphs]
    assert revise(classes) == _justext_revise(classes)


def test_a_page_of_forty_thousand_short_blocks_is_read_in_linear_time() -> None:
    # jusText's own revision takes about 80 s on this page (each short block looks for its
    # neighbours through the whole run); ours about 2 s on this machine.
    page = "<html><body>" + "<p>Some sentence of text, with words.</p>\n" * 40_000 + "</body>"
    started = time.perf_counter()
    blocks = page_blocks(lxml.html.fromstring(page))
    assert len(blocks) == 40_000
    assert time.perf_counter() - started < 15.0
