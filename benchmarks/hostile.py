"""Inputs of a chosen size and shape, hostile ones included, for the scaling benchmark
(`benchmarks/scaling.py`) and the tests that refuse them.

PDFs are written byte by byte (objects, a cross-reference table, a trailer), so a
test can build shapes no PDF library would produce: a page tree that references
one subtree many times, a content stream that inflates to gigabytes.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Sequence

# --------------------------------------------------------------------------- PDF

FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
SENTENCE = b"(The council approved the new budget on Monday evening after a long debate.) Tj"


def raw_pdf(objects: Sequence[bytes], *, root: int = 1) -> bytes:
    """A PDF of these object bodies, numbered from 1, with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        root,
        xref,
    )
    return bytes(out)


def stream(data: bytes, *, flate: bool = False, extra: bytes = b"") -> bytes:
    if flate:
        data = zlib.compress(data, 9)
        extra += b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n%s\nendstream" % (len(data), extra, data)


def _escape(text: str) -> bytes:
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return escaped.encode("latin-1", errors="replace")


def text_pdf(pages: Sequence[Sequence[str]], *, flate: bool = False) -> bytes:
    """A PDF whose every page shows its lines, one under the other, in Helvetica."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", FONT]
    kids = []
    for lines in pages:
        ops = [b"BT /F1 10 Tf 72 780 Td 12 TL"]
        ops += [b"(%s) Tj T*" % _escape(line) for line in lines]
        ops.append(b"ET")
        objects.append(stream(b"\n".join(ops), flate=flate))
        objects.append(_page(2, len(objects)))
        kids.append(len(objects))
    objects[1] = _pages(kids)
    return raw_pdf(objects)


def _page(parent: int, contents: int, *, resources: bytes = b"") -> bytes:
    return (
        b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 3 0 R >> %s>> /Contents %d 0 R >>"
        % (parent, resources, contents)
    )


def _pages(kids: Sequence[int], *, parent: int | None = None, count: int | None = None) -> bytes:
    refs = b" ".join(b"%d 0 R" % kid for kid in kids)
    up = b" /Parent %d 0 R" % parent if parent is not None else b""
    return b"<< /Type /Pages /Kids [%s] /Count %d%s >>" % (
        refs,
        len(kids) if count is None else count,
        up,
    )


def single_page_pdf(content: bytes, *, flate: bool = True, resources: bytes = b"") -> bytes:
    """One page whose content stream is `content` (compressed unless flate=False)."""
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            _pages([4]),
            FONT,
            _page(2, 5, resources=resources),
            stream(content, flate=flate),
        ]
    )


def exponential_page_tree_pdf(depth: int = 24, fan: int = 2) -> bytes:
    """A few KB whose page tree lists one page fan**depth times: every level's /Kids
    names the level below `fan` times."""
    objects: list[bytes] = [b"", stream(b"BT /F1 12 Tf 72 700 Td " + SENTENCE + b" ET"), FONT]
    first = len(objects) + 2  # object number of the lowest /Pages node
    objects.append(_page(first, 2))
    page = len(objects)
    for level in range(depth):
        child = page if level == 0 else first + level - 1
        parent = first + level + 1 if level + 1 < depth else None
        objects.append(_pages([child] * fan, parent=parent, count=fan ** (level + 1)))
    objects[0] = b"<< /Type /Catalog /Pages %d 0 R >>" % (first + depth - 1)
    return raw_pdf(objects)


def page_references_pdf(references: int = 300_000, per_node: int = 1000) -> bytes:
    """One page referenced `references` times, through nodes of `per_node` references."""
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",
        FONT,
        _page(2, 5),
        stream(b"BT /F1 12 Tf 72 700 Td " + SENTENCE + b" ET"),
    ]
    nodes = []
    for _ in range(0, references, per_node):
        objects.append(_pages([4] * per_node, parent=2))
        nodes.append(len(objects))
    objects[1] = _pages(nodes, count=references)
    return raw_pdf(objects)


def flate_bomb_pdf(inflated: int = 200_000_000) -> bytes:
    """A page whose ~200 KB content stream inflates to `inflated` bytes of spaces."""
    return single_page_pdf(b"BT /F1 12 Tf 72 700 Td " + SENTENCE + b" " * inflated + b" ET")


def big_stream_pdf(inflated: int = 60_000_000) -> bytes:
    """A page whose content stream inflates to `inflated` bytes of real text operators."""
    show = b"(" + b"Hello there world. " * 500 + b") Tj T* "
    return single_page_pdf(b"BT /F1 12 Tf 72 700 Td " + show * (inflated // len(show)) + b"ET")


def form_amplification_pdf(shows: int = 20_000, calls: int = 4_000) -> bytes:
    """A page that draws one form XObject `calls` times; the form shows `shows` strings."""
    form = b"BT /F1 12 Tf 72 700 Td " + b"(x) Tj " * shows + b"ET"
    xobject = stream(form, flate=True, extra=b" /Type /XObject /Subtype /Form /BBox [0 0 612 792]")
    content = b"BT /F1 12 Tf 72 700 Td " + SENTENCE + b" ET " + b"/X1 Do " * calls
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            _pages([4]),
            FONT,
            _page(2, 5, resources=b"/XObject << /X1 6 0 R >> "),
            stream(content, flate=True),
            xobject.replace(b"<< /Length", b"<< /Resources << /Font << /F1 3 0 R >> >> /Length"),
        ]
    )


def kerned_line_pdf(arrays: int = 30_000) -> bytes:
    """One line of `arrays` kerned TJ arrays: layout mode's transform stack grows with
    every spacing offset until the next positioning operator."""
    return single_page_pdf(
        b"BT /F1 12 Tf 72 700 Td %s T* %s ET" % (SENTENCE, b"[(x) -250 (y) 120 (z)] TJ " * arrays)
    )


# --------------------------------------------------------------------------- text

_WORDS = [
    "council",
    "budget",
    "approved",
    "Monday",
    "debate",
    "buses",
    "trams",
    "potholes",
    "town",
    "mayor",
    "spring",
    "works",
    "years",
    "line",
    "city",
    "hall",
    "press",
    "office",
    "said",
    "would",
    "new",
    "plan",
    "river",
    "bridge",
    "school",
    "vote",
]


def sentence(rng: random.Random, words: int = 12) -> str:
    text = " ".join(rng.choice(_WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def text_lines(n: int, seed: int = 1) -> str:
    """`n` lines of one sentence each, no blank line: one long paragraph."""
    rng = random.Random(seed)
    return "\n".join(sentence(rng) for _ in range(n))


def text_paragraphs(n: int, seed: int = 1) -> str:
    """`n` paragraphs of two sentences, separated by blank lines."""
    rng = random.Random(seed)
    return "\n\n".join(f"{sentence(rng)} {sentence(rng)}" for _ in range(n))


def short_lines(n: int, seed: int = 1) -> list[str]:
    """`n` short lines without sentence ends: one paragraph once re-flowed."""
    rng = random.Random(seed)
    return [f"{rng.choice(_WORDS).lower()} {rng.choice(_WORDS).lower()} {i}" for i in range(n)]


# --------------------------------------------------------------------------- HTML


def html_paragraphs(n: int, seed: int = 1) -> str:
    """An article page of `n` paragraphs, each in its own <div> with a link."""
    rng = random.Random(seed)
    body = "".join(
        f'<div class="c{i % 7}"><p>{sentence(rng)} {sentence(rng)}</p>'
        f'<a href="/more/{i}">{rng.choice(_WORDS)}</a></div>\n'
        for i in range(n)
    )
    return (
        "<html><head><title>Budget</title></head><body><article><h1>Budget</h1>"
        f"{body}</article></body></html>"
    )


def html_nested(depth: int, seed: int = 1) -> str:
    """An article whose paragraphs sit `depth` <div>s deep."""
    rng = random.Random(seed)
    text = "".join(f"<p>{sentence(rng)} {sentence(rng)}</p>" for _ in range(20))
    return f"<html><body>{'<div>' * depth}{text}{'</div>' * depth}</body></html>"


def feed_link_page(n: int) -> str:
    """A page of `n` feed-like links: half <link rel="alternate">, half <a href=".../feed">."""
    links = "".join(
        f'<link rel="alternate" type="application/rss+xml" href="/f{i}.rss">' for i in range(n // 2)
    )
    anchors = "".join(f'<a href="/s{i}/feed">feed {i}</a>' for i in range(n - n // 2))
    return f"<html><head>{links}</head><body>{anchors}</body></html>"


# --------------------------------------------------------------------------- feeds


def rss_feed(n: int, seed: int = 1) -> bytes:
    """An RSS 2.0 feed of `n` items with HTML descriptions."""
    rng = random.Random(seed)
    items = "".join(
        f"<item><title>{sentence(rng, 6)}</title><link>https://news.example/a/{i}</link>"
        f"<guid>https://news.example/a/{i}</guid>"
        f"<pubDate>Mon, 0{1 + i % 9} Jun 2025 10:{i % 60:02d}:00 GMT</pubDate>"
        f"<description><![CDATA[<p>{sentence(rng)} {sentence(rng)}</p>]]></description></item>"
        for i in range(n)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>News</title><link>https://news.example/</link>{items}</channel></rss>"
    ).encode()
