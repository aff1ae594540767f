"""Type detection, charset decoding and PDF text."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from bot.errors import EmptyInput, InputError, NotAnArticle, UnsupportedType
from bot.ingest.files import decode_text, detect_kind
from bot.ingest.pdf import pdf_to_text

FILES = Path(__file__).resolve().parent.parent / "data" / "files"

HTML = b"<!DOCTYPE html><html><head><title>T</title></head><body><p>Hello.</p></body></html>"
MARKDOWN = (
    b"# Council approves new budget\n\n"
    b"The city council **approved** the budget on Monday, see [the minutes](https://example.org/m).\n\n"
    b"- more buses\n- fewer potholes\n"
)
TEXT = b"The city council approved the budget on Monday.\n\nIt includes more buses.\n"


def make_pdf(paragraphs: list[str], *, title: str = "Battery breakthrough") -> bytes:
    """A multi-page article with a running header and page numbers on every page."""
    styles = getSampleStyleSheet()
    buf = io.BytesIO()

    def furniture(c: canvas.Canvas, doc: SimpleDocTemplate) -> None:
        c.setFont("Helvetica", 8)
        c.drawString(72, 810, "The Daily Example | Science")
        c.drawString(290, 30, f"Page {doc.page}")

    doc = SimpleDocTemplate(buf, pagesize=A4)
    story = [Paragraph(title, styles["Title"])]
    for text in paragraphs:
        story += [Paragraph(text, styles["BodyText"]), Spacer(1, 8)]
    doc.build(story, onFirstPage=furniture, onLaterPages=furniture)
    return buf.getvalue()


# --------------------------------------------------------------------------- detect_kind


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (HTML, "html"),
        (b"\n\n  <html lang='en'><body><p>x</p></body></html>", "html"),
        (b"\xef\xbb\xbf<!doctype html><p>BOM first</p>", "html"),
        (b'<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"></html>', "html"),
        (b"<!-- generated -->\n<div><p>fragment</p></div>", "html"),
        (b"<p>Just a paragraph of HTML.</p>", "html"),
        (MARKDOWN, "markdown"),
        (b"Title\n=====\n\nSome text with `code` in it.\n", "markdown"),
        (TEXT, "text"),
        (b"The score was 3 < 4 and 5 > 2, said the coach.\n", "text"),
        ("Élection : le résultat est connu.\n".encode("utf-16"), "text"),
    ],
)
@pytest.mark.parametrize("name", [None, "upload.bin", "notes.txt", "page.pdf", "photo.png"])
def test_kind_comes_from_content_not_the_name(data: bytes, kind: str, name: str | None) -> None:
    assert detect_kind(data, name=name) == kind
    assert detect_kind(data, name=name, content_type="application/octet-stream") == kind


def test_pdf_is_detected_by_magic_whatever_the_name() -> None:
    pdf = make_pdf(["A short article about batteries."])
    assert detect_kind(pdf, name="article.html", content_type="text/html") == "pdf"
    assert detect_kind(b"\r\n%PDF-1.4\n...", name=None) == "pdf"


def test_headers_and_names_break_ties_for_plain_text() -> None:
    plain = b"Council approves budget\n\nThe council approved the budget.\n"
    assert detect_kind(plain) == "text"
    assert detect_kind(plain, name="notes.md") == "markdown"
    assert detect_kind(plain, content_type="text/markdown; charset=utf-8") == "markdown"
    # A header saying HTML does not turn plain prose into HTML ...
    assert detect_kind(plain, content_type="text/html") == "text"
    # ... but it does decide for a fragment with tags after some text.
    fragment = b"Council approves budget <p>The council approved <a href='/x'>it</a>.</p>"
    assert detect_kind(fragment, content_type="text/html") == "html"


_ZIP = io.BytesIO()
with zipfile.ZipFile(_ZIP, "w") as _zf:
    _zf.writestr("notes.txt", "hello")
_DOCX = io.BytesIO()
with zipfile.ZipFile(_DOCX, "w") as _zf:
    _zf.writestr("[Content_Types].xml", "<Types/>")
    _zf.writestr("word/document.xml", "<w:document/>")


@pytest.mark.parametrize(
    ("data", "seen"),
    [
        (random.Random(1234).randbytes(4096), "binary data"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "JPEG image"),
        (_ZIP.getvalue(), "ZIP archive"),
        (_DOCX.getvalue(), "Word document"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "Office document"),
        (b"\x1f\x8b\x08\x00" + bytes(32), "gzip archive"),
        (b"\x7fELF\x02\x01\x01" + bytes(64), "program"),
    ],
)
def test_unsupported_types_are_named(data: bytes, seen: str) -> None:
    with pytest.raises(UnsupportedType) as info:
        detect_kind(data, name="article.txt", content_type="text/plain")
    message = str(info.value)
    assert seen in message
    assert "plain text, Markdown, HTML and PDF" in message


def test_a_feed_is_not_an_article() -> None:
    feed = b'<?xml version="1.0"?>\n<rss version="2.0"><channel></channel></rss>'
    with pytest.raises(UnsupportedType, match="feed"):
        detect_kind(feed)


@pytest.mark.parametrize(
    "data", [b"", b"   \n\t\r\n  ", b"\xef\xbb\xbf  \n", "  ".encode("utf-16")]
)
def test_empty_input(data: bytes) -> None:
    with pytest.raises(EmptyInput):
        detect_kind(data, name="a.txt")


# --------------------------------------------------------------------------- decode_text


def test_windows_1252_french_page_has_correct_accents() -> None:
    data = (FILES / "fr_windows1252.html").read_bytes()
    text = decode_text(data, is_html=True)  # from <meta http-equiv>, no header
    assert "Les élèves français préfèrent l’été" in text
    assert "« Ça dépasse toutes nos prévisions »" in text
    assert "à Noël…" in text and "12 % — un record" in text and "150 €" in text
    # A server that says ISO-8859-1 means Windows-1252, as browsers read it.
    assert decode_text(data, declared="iso-8859-1", is_html=True) == text
    assert "\x80" not in text and "\x92" not in text


def test_latin1_page_has_correct_accents() -> None:
    data = (FILES / "fr_latin1.html").read_bytes()
    text = decode_text(data, is_html=True)
    assert "À Genève, le café crème coûte désormais plus cher qu'à Zürich" in text
    assert "« très mécontents »" in text and "maïs grillé n'ont pas été épargnés" in text


def test_undeclared_windows_1252_text_is_not_mojibake() -> None:
    data = (FILES / "fr_undeclared_cp1252.txt").read_bytes()
    text = decode_text(data)
    assert text.startswith("Grève à la SNCF : les usagers résignés")
    assert "« On s'y attendait »" in text and "très perturbés" in text


def test_declared_charset_beats_meta_and_bom_beats_both() -> None:
    page = '<meta charset="windows-1252"><p>Привет, мир</p>'
    assert "Привет, мир" in decode_text(page.encode("koi8-r"), declared="koi8-r", is_html=True)
    bom = b"\xef\xbb\xbf" + "<p>Déjà</p>".encode()
    assert decode_text(bom, declared="iso-8859-1", is_html=True) == "<p>Déjà</p>"
    assert decode_text("Grüße\r\n".encode("utf-16")) == "Grüße\n"


def test_utf8_is_used_when_valid_and_a_wrong_declaration_is_survived() -> None:
    data = "Déjà vu\r\nà Paris\rfin".encode()
    assert decode_text(data) == "Déjà vu\nà Paris\nfin"
    # A header claiming UTF-8 for Windows-1252 bytes must not produce replacement marks.
    assert decode_text("café crème".encode("cp1252"), declared="utf-8") == "café crème"


def test_utf8_page_with_one_cut_character_keeps_its_accents() -> None:
    # A real Polish page (trafilatura's evaluation set) declares UTF-8, but a teaser in its
    # sidebar was shortened byte-wise, cutting "ó" in two: strict decoding failed and the
    # guessed encoding turned every Polish letter of the article into mojibake.
    body = (
        "Kolejne organizacje sprzeciwiają się skandalicznym i bezpodstawnym atakom Sieci "
        "Watchdog wymierzonym w Fundację Lux Veritatis nadawcę TV Trwam. Kłamliwym atakom "
        "sprzeciwiają się też dziennikarze, politycy i Zespół Wspierania Radia Maryja. Głos "
        "w obronie Fundacji zabrała również Akcja Katolicka w Polsce. – Nie możemy pozwolić "
        "na wszystkie te zuchwałe manipulacje i wszystkie akty oskarżenia. Przecież jest w "
        "Polsce całe mnóstwo katolików, którzy korzystają z tych mediów – mówiła."
    )
    teaser = "Funkcjonariusze podlaskiej KAS udaremnili przemyt 653 tys. paczek papieros"
    page = (
        f'<html><head><meta charset="UTF-8"></head><body><p>{body}</p>'.encode()
        + f"<span>{teaser}".encode()
        + "ó".encode()[:1]
        + b"...</span></body></html>"
    )
    text = decode_text(page, is_html=True)
    assert body in text and "papieros\ufffd..." in text
    assert decode_text(page) == text  # undeclared: the same reading
    # Text in a legacy encoding behind a wrong UTF-8 label is still read as what it is.
    french = "Grève à la SNCF : les usagers, résignés, prévoient des détours. " * 5
    assert decode_text(french.encode("cp1252"), declared="utf-8") == french


def test_cyrillic_without_declaration_is_guessed() -> None:
    text = (
        "Правительство объявило о новых мерах поддержки экономики. "
        "Министр финансов заявил, что бюджет будет пересмотрен в ближайшее время."
    )
    assert decode_text(text.encode("cp1251")) == text


# --------------------------------------------------------------------------- PDF

CITIES = ["Lyon", "Leeds", "Porto", "Gdansk", "Bologna", "Utrecht", "Graz", "Tampere"]
PARAGRAPHS = ["The council met on Monday evening to discuss the proposal in detail."] + [
    text
    for city in CITIES
    for text in (
        f"Researchers in {city} announced on Tuesday that a newly developed battery "
        "chemistry could store twice as much energy as the lithium-ion cells used in phones "
        "and cars today, a result that surprised even the team itself.",
        f"The cells tested in {city} use a solid electrolyte made from common minerals, which "
        "the team says should make them cheaper and safer to manufacture at scale. Early "
        "prototypes survived more than two thousand charging cycles in the laboratory.",
        f"Independent experts in {city} cautioned that many promising battery designs have "
        "failed to leave the laboratory, and that manufacturing costs remain the decisive "
        "question for any technology hoping to compete with existing factories.",
    )
]


def test_pdf_round_trips_to_paragraphs_without_page_furniture() -> None:
    pdf = make_pdf(PARAGRAPHS)
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) >= 2
    # Some paragraph runs over a page break and must come out whole.
    assert any(not p.extract_text().split("\n")[2][:1].isupper() for p in pages[1:])
    text = pdf_to_text(pdf)
    paragraphs = text.split("\n\n")
    assert paragraphs[0] == "Battery breakthrough"
    assert paragraphs[1:] == PARAGRAPHS
    assert "Daily Example" not in text
    assert "Page " not in text


def test_pdf_line_end_hyphenation_is_undone() -> None:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    lines = [
        "The minister said the new rail line would bring signi-",
        "ficant benefits to the region and its well-",
        "known industries, according to the statement of the well-known ministry.",
    ]
    for i, line in enumerate(lines):
        c.drawString(72, 700 - 14 * i, line)
    c.showPage()
    c.save()
    assert pdf_to_text(buf.getvalue()) == (
        "The minister said the new rail line would bring significant benefits to the "
        "region and its well-known industries, according to the statement of the "
        "well-known ministry."
    )


def test_scanned_pdf_without_text_is_not_an_article() -> None:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.rect(50, 50, 400, 600, fill=1)  # a picture, no text
    c.showPage()
    c.save()
    with pytest.raises(NotAnArticle, match="scanned"):
        pdf_to_text(buf.getvalue())


def test_encrypted_pdf_is_an_input_error() -> None:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, encrypt="s3cret")
    c.drawString(72, 700, "Confidential minutes of the meeting.")
    c.showPage()
    c.save()
    with pytest.raises(InputError, match="password-protected"):
        pdf_to_text(buf.getvalue())


def test_corrupt_pdf_is_an_input_error() -> None:
    with pytest.raises(InputError, match="damaged"):
        pdf_to_text(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage garbage\n%%EOF")
    with pytest.raises(InputError):
        pdf_to_text(make_pdf(PARAGRAPHS)[:600])
