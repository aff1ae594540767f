"""Does any door's work grow faster than its input? Doubles each input shape and times it.

    .venv/bin/python -m benchmarks.scaling [--steps 5] [--scale 1.0]

For each shape a hostile sender controls — lines of pasted text, paragraphs, HTML size,
HTML nesting, feed-like links in a page, feed items, PDF lines, pages and kerned arrays, unclosed
comments in a feed item, unclosed tags in a page — the real function runs on
inputs of doubling size (best of 3 runs each, CPU time of the process). The table shows
each time and the growth exponent k over the last two doublings (time ∝ size^k; 1 is
linear, 2 quadratic). The script exits 1 when a shape grows super-linearly: k > 1.35,
for a time long enough to measure (≥ 30 ms). tests/test_scaling.py runs it in CI.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.errors import PrecisError  # noqa: E402

SENTENCE = (
    "The harbour council of Saint-Malo met on day {n} to decide the future of the old "
    "fish market, and Mayor Claire Martin said the works would start in spring. "
)
MAX_EXPONENT = 1.35
MIN_SECONDS = 0.03


def _text_lines(n: int) -> Callable[[], object]:
    from bot.ingest.text import parse_text
    from bot.pipeline import analyse

    text = "\n".join(f"Short line {i} of a pasted page" for i in range(n)) + "\n" + SENTENCE * 20
    return lambda: analyse(parse_text(text))


def _paragraphs(n: int) -> Callable[[], object]:
    from bot.ingest.text import parse_text
    from bot.pipeline import analyse

    text = "\n\n".join(SENTENCE.format(n=i) * 2 for i in range(n))
    return lambda: analyse(parse_text(text))


def _html_size(n: int) -> Callable[[], object]:
    from bot.ingest.html import extract_html

    body = "".join(f"<p>{SENTENCE.format(n=i)}</p>" for i in range(n))
    return lambda: extract_html(f"<html><body><article>{body}</article></body></html>")


def _html_chunks(n: int) -> Callable[[], object]:
    # An article cut into n chunks of one class around ad rows (bot/ingest/html_chunks.py
    # adds every chunk after the first to the text).
    from bot.ingest.html import extract_html

    chunk = (
        '<div class="grid"><div class="body body__container article__body"><p>{}</p></div></div>'
    )
    body = '<div class="ad">Advertisement</div>'.join(
        chunk.format(SENTENCE.format(n=i) * 2) for i in range(n)
    )
    return lambda: extract_html(
        f'<html><body><div class="article__chunks">{body}</div></body></html>'
    )


def _html_nesting(n: int) -> Callable[[], object]:
    from bot.ingest.html import extract_html

    page = "<html><body>" + "<div>" * n + f"<p>{SENTENCE * 5}</p>" + "</div>" * n + "</body>"
    return lambda: extract_html(page)


def _feed_links(n: int) -> Callable[[], object]:
    from bot.ingest.feeds import discover_feed_links

    page = "<html><body>" + "".join(f"<a href=/r/{i}.rss>" for i in range(n)) + "</body>"
    return lambda: discover_feed_links(page, "https://news.example/")


def _feed_items(n: int) -> Callable[[], object]:
    from bot.ingest.feeds import parse_feed

    items = "".join(
        f"<item><title>Story {i}</title><link>https://news.example/{i}</link>"
        f"<guid>g{i}</guid><description>{SENTENCE.format(n=i)}</description></item>"
        for i in range(n)
    )
    head = '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
    data = f"{head}{items}</channel></rss>"
    return lambda: parse_feed(data.encode(), url="https://news.example/feed")


def _pdf_lines(n: int) -> Callable[[], object]:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from bot.ingest.pdf import pdf_to_text

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for i in range(n):
        if i and i % 60 == 0:
            pdf.showPage()
        pdf.drawString(40, 800 - (i % 60) * 12, f"line {i} of a long listing")
    pdf.save()
    data = buffer.getvalue()
    return lambda: pdf_to_text(data)


def _pdf_pages(n: int) -> Callable[[], object]:
    from benchmarks.hostile import text_pdf
    from bot.ingest.pdf import pdf_to_text

    data = text_pdf([[f"Page {i} of the report, a line of text."] for i in range(n)])
    return lambda: pdf_to_text(data)


def _kerned_line(n: int) -> Callable[[], object]:
    from benchmarks.hostile import kerned_line_pdf
    from bot.ingest.pdf import pdf_to_text

    data = kerned_line_pdf(n)
    return lambda: pdf_to_text(data)


def _unclosed_comments(n: int) -> Callable[[], object]:
    from bot.ingest.feeds import parse_feed

    body = "&lt;!--" * n + SENTENCE.format(n=0)
    data = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item>'
        f"<title>S</title><link>https://news.example/1</link><description>{body}"
        "</description></item></channel></rss>"
    )
    return lambda: parse_feed(data.encode(), url="https://news.example/feed")


def _unclosed_anchors(n: int) -> Callable[[], object]:
    from bot.ingest.feeds import discover_feed_links

    page = "<html><body>" + "<a " * n + "</body></html>"
    return lambda: discover_feed_links(page, "https://news.example/")


SHAPES: dict[str, tuple[Callable[[int], Callable[[], object]], int]] = {
    # shape -> (input builder, smallest size at --scale 1)
    "text lines": (_text_lines, 2_000),
    "paragraphs": (_paragraphs, 250),
    "HTML size (paragraphs)": (_html_size, 1_000),
    "HTML nesting depth": (_html_nesting, 250),
    "HTML body chunks": (_html_chunks, 250),
    "feed-like links": (_feed_links, 5_000),
    "feed items": (_feed_items, 250),
    "PDF lines": (_pdf_lines, 1_000),
    "PDF pages": (_pdf_pages, 20),
    "PDF kerned line (arrays)": (_kerned_line, 1_000),
    "unclosed comments in item": (_unclosed_comments, 4_000),
    "unclosed <a in a page": (_unclosed_anchors, 2_000),
}


def _best(work: Callable[[], object], repeat: int = 3) -> float:
    """The least CPU time of `repeat` runs: this process's own time, which other work on a
    loaded machine disturbs far less than it does the wall clock."""
    best = math.inf
    for _ in range(repeat):
        started = time.process_time()
        with contextlib.suppress(PrecisError):  # a refusal is a result: its cost counts
            work()
        best = min(best, time.process_time() - started)
    return best


def measure(steps: int, scale: float, only: list[str] | None = None) -> list[str]:
    """Print the table; the shapes that grew super-linearly."""
    bad = []
    for name, (build, smallest) in SHAPES.items():
        if only and name not in only:
            continue
        size = max(1, int(smallest * scale))
        times = []
        for _ in range(steps):
            times.append(_best(build(size)))
            size *= 2
        # Over the last two doublings (4x the input): steadier than one step.
        k = math.log2(max(times[-1], 1e-9) / max(times[-3], 1e-9)) / 2
        slow = times[-1] >= MIN_SECONDS and k > MAX_EXPONENT
        cells = " ".join(f"{t * 1000:8.1f}" for t in times)
        print(f"{name:<24} {cells}   k={k:4.2f}{'  SUPER-LINEAR' if slow else ''}", flush=True)
        if slow:
            bad.append(name)
    return bad


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--only", action="append")
    args = parser.parse_args(argv)
    print(f"ms per input, sizes doubling {args.steps} times from the smallest × {args.scale}")
    bad = measure(args.steps, args.scale, args.only)
    if bad:
        print("super-linear: " + ", ".join(bad))
        return 1
    print(f"every shape grows linearly (k ≤ {MAX_EXPONENT} over the last two doublings)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
