"""Fuzz the ingest doors with mutations of real inputs: every file, page, feed and PDF the
tests hold, with bytes flipped, cut, repeated and spliced. Whatever comes in, the answer
is an article (or a summary) or a `PrecisError` — never another exception. Seeded and
bounded (derandomized hypothesis), so CI runs the same cases every time."""

from __future__ import annotations

import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.errors import PrecisError
from bot.ingest.feeds import parse_feed
from bot.pipeline import FileSource, Options, summarize_local
from tests.conftest import DATA, ROOT

FUZZ = settings(
    derandomize=True,
    max_examples=400,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _pdf() -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    buffer = io.BytesIO()
    text = (DATA / "articles" / "en_spacecraft.txt").read_text(encoding="utf-8")
    style = getSampleStyleSheet()["BodyText"]
    SimpleDocTemplate(buffer, pagesize=A4).build(
        [Paragraph(p, style) for p in text.split("\n\n") if p.strip()]
    )
    return buffer.getvalue()


def _files(*folders: str, suffixes: tuple[str, ...]) -> list[tuple[str, bytes]]:
    found = []
    for folder in folders:
        for path in sorted(Path(folder).iterdir()):
            if path.suffix in suffixes:
                found.append((path.name, path.read_bytes()[:60_000]))
    return found


DOCUMENTS = [
    *_files(DATA / "articles", DATA / "files", DATA / "html", DATA / "text",
            suffixes=(".txt", ".md", ".html")),  # fmt: skip
    ("seed.txt", (ROOT / "seeds" / "000_8cab881343aabe4f.txt").read_bytes()),
    ("article.pdf", _pdf()),
]
FEEDS = _files(ROOT / "seeds" / "feeds", suffixes=(".xml", ".rdf", ".json", ".html"))


@st.composite
def mutated(draw: st.DrawFn, corpus: list[tuple[str, bytes]]) -> tuple[str, bytes]:
    name, data = draw(st.sampled_from(corpus))
    buf = bytearray(data)
    for _ in range(draw(st.integers(1, 6))):
        if not buf:
            break
        op = draw(st.sampled_from(["flip", "cut", "repeat", "insert", "truncate"]))
        at = draw(st.integers(0, len(buf) - 1))
        if op == "flip":
            buf[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "cut":
            del buf[at : at + draw(st.integers(1, 4096))]
        elif op == "repeat":
            piece = bytes(buf[at : at + draw(st.integers(1, 512))])
            buf[at:at] = piece * draw(st.integers(2, 64))
        elif op == "insert":
            buf[at:at] = draw(st.sampled_from([
                b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"<", b"]]>", b"<!ENTITY x 'y'>",
                b"<meta charset=utf-7>", b"+ADw-script+AD4-", "\u202e".encode(),
                b"\r\n\r\n", b"%PDF-1.7\n", b"obj << /Length 999999999 >> stream\n",
                b"\xed\xa0\x80", b"&#xD800;", b"<" * 50,
            ]))  # fmt: skip
        else:
            del buf[at:]
    return name, bytes(buf)


@FUZZ
@given(mutated(DOCUMENTS))
def test_any_mutated_document_gives_a_summary_or_a_refusal(case: tuple[str, bytes]) -> None:
    name, data = case
    try:
        _, summary = summarize_local(FileSource(data, name=name), Options(), 10_000_000)
    except PrecisError:
        return
    assert summary.summary and all(isinstance(s, str) for s in summary.summary)


@FUZZ
@given(mutated(FEEDS))
def test_any_mutated_feed_parses_or_is_refused(case: tuple[str, bytes]) -> None:
    name, data = case
    try:
        parsed = parse_feed(data, url=f"https://news.example/{name}")
    except PrecisError:
        return
    assert isinstance(parsed.title, str)
