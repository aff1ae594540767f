"""Reading a PDF's pages with pypdf, within limits that bound the work.

A PDF is a program for a reader: a few kilobytes can describe a page tree of
millions of pages, a stream that inflates to gigabytes, or a form drawn
thousands of times. pypdf has limits of its own and raises `LimitReachedError`
(not a `PdfReadError`) when one is hit; here they are set to what an article
needs, many times over, and every way pypdf fails becomes one `PrecisError`:

* at most `MAX_PAGES` pages, and every decoded stream at most `MAX_STREAM_BYTES`;
* at most `MAX_CONTENT_BYTES` of decoded page content in all, checked before a
  page is parsed;
* a `_Meter` visits every operator of the plain-text pass (forms included) and
  refuses the document past `MAX_WORK`;
* layout mode, only a hint for paragraph breaks, is quadratic in pypdf on some
  pages (its transform stack grows with every spacing offset of a TJ array, and
  it concatenates a line's pieces one by one): the meter estimates that cost
  from the plain pass, and a page whose layout would cost too much, alone or
  with the pages before it, is read without the hint.
"""

from __future__ import annotations

import io
import logging
from typing import Any

from bot.errors import InputError, TooLarge

log = logging.getLogger(__name__)

MAX_PAGES = 300
MAX_STREAM_BYTES = 8 * 1024 * 1024
MAX_CONTENT_BYTES = 4 * 1024 * 1024
# One unit is about what pypdf spends on a character of text; an operator costs ~50.
MAX_WORK = 15_000_000
OPERATOR_WORK = 50
# Layout units: one per piece of text, plus the spacing offsets pypdf's transform stack
# holds when it places the piece, plus the line's characters so far / 4096.
MAX_LAYOUT_WORK = 3_000_000
MAX_PAGE_LAYOUT_WORK = 300_000

_DAMAGED = "That PDF is damaged or not really a PDF; Précis could not read it."
_TOO_COMPLEX = (
    "That PDF is too large or too intricate for Précis to read (it asks for more pages, "
    "content or decompression than any article needs). Send a shorter PDF, or paste "
    "the text itself."
)
# Operators after which pypdf's layout mode starts a new spacing run (it resets the
# text rendering matrix), and the text-showing ones.
_NEW_RUN = frozenset({b"BT", b"ET", b"Td", b"TD", b"T*", b"Tm", b"'", b'"'})
_SHOW = frozenset({b"Tj", b"'", b'"'})

_LIMITS: dict[str, Any] = {
    "zlib_maximum_output_length": MAX_STREAM_BYTES,
    "lzw_maximum_output_length": MAX_STREAM_BYTES,
    "run_length_maximum_output_length": MAX_STREAM_BYTES,
    "brotli_maximum_output_length": MAX_STREAM_BYTES,
    "jbig2_maximum_output_length": MAX_STREAM_BYTES,
    "array_based_stream_maximum_output_length": MAX_STREAM_BYTES,
    "image_maximum_buffer_size": MAX_STREAM_BYTES,
    "stream_decoding_work_maximum_length": 4 * MAX_STREAM_BYTES,
    "stream_parsing_work_maximum_count": 1_000_000,
    "page_tree_maximum_entries": 10 * MAX_PAGES,
    "page_tree_maximum_page_entries": 10 * MAX_PAGES,
}


class _Meter:
    """Counts the work of the plain-text pass, operator by operator (pypdf calls it as
    `visitor_operand_before`), and estimates what layout mode will cost on the page."""

    def __init__(self) -> None:
        self.content = 0
        self.work = 0
        self.layout = 0  # of the pages read with layout mode so far
        self.page_layout = 0
        self._run = 0  # spacing offsets since the last positioning operator
        self._line_y: float | None = None
        self._line_chars = 0

    def new_page(self, content_bytes: int) -> None:
        self.content += content_bytes
        if self.content > MAX_CONTENT_BYTES:
            raise TooLarge(_TOO_COMPLEX)
        self.page_layout = self._run = self._line_chars = 0
        self._line_y = None

    def __call__(self, operator: bytes, operands: Any, cm: Any, tm: Any) -> None:
        self.work += OPERATOR_WORK
        if operator in _NEW_RUN:
            self._run = 0
        if operator == b"TJ" and operands and isinstance(operands[0], list):
            for item in operands[0]:
                if isinstance(item, (str, bytes)):
                    self._piece(len(item), tm)
                elif isinstance(item, (int, float)):
                    self._run += 1
        elif operator in _SHOW and operands and isinstance(operands[-1], (str, bytes)):
            self._piece(len(operands[-1]), tm)
        self.check()

    def _piece(self, chars: int, tm: Any) -> None:
        self.work += chars
        y = tm[5] if isinstance(tm, list) and len(tm) == 6 else None
        if y != self._line_y:
            self._line_y, self._line_chars = y, 0
        self._line_chars += chars
        self.page_layout += 1 + self._run + self._line_chars // 4096

    def check(self) -> None:
        """Refuse once over budget (also after a page: pypdf swallows errors in forms)."""
        if self.work > MAX_WORK:
            raise TooLarge(_TOO_COMPLEX)

    def layout_affordable(self) -> bool:
        if self.page_layout > MAX_PAGE_LAYOUT_WORK:
            return False
        if self.layout + self.page_layout > MAX_LAYOUT_WORK:
            return False
        self.layout += self.page_layout
        return True


def read_pages(data: bytes) -> tuple[list[str], list[str]]:
    """Each page's plain text, and its layout-mode text ("" where not affordable)."""
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError

    try:
        with apply_configuration(**_LIMITS):
            return _read(PdfReader(io.BytesIO(data)))
    except InputError:
        raise
    except (FileNotDecryptedError, DependencyError):
        raise InputError(
            "That PDF is encrypted in a way Précis cannot open; save an unprotected copy "
            "and send that."
        ) from None
    except (LimitReachedError, MemoryError):
        raise TooLarge(_TOO_COMPLEX) from None
    except Exception as exc:  # pypdf: "broken PDF files might cause other Exceptions"
        log.debug("unreadable PDF: %s: %s", type(exc).__name__, exc)
        raise InputError(_DAMAGED) from None


def _read(reader: Any) -> tuple[list[str], list[str]]:
    if reader.is_encrypted and not reader.decrypt(""):
        raise InputError("That PDF is password-protected; save an unprotected copy and send that.")
    pages = reader.pages
    if len(pages) > MAX_PAGES:
        raise TooLarge(
            f"That PDF has {len(pages)} pages; Précis reads at most {MAX_PAGES}. "
            "Send the pages of the article only."
        )
    meter = _Meter()
    plain: list[str] = []
    layout: list[str] = []
    for page in pages:
        meter.new_page(_content_bytes(page))
        plain.append(page.extract_text(visitor_operand_before=meter) or "")
        meter.check()
        layout.append(_layout_text(page) if meter.layout_affordable() else "")
    return plain, layout


def _content_bytes(page: Any) -> int:
    """The decoded size of a page's content streams (pypdf caps each one)."""
    contents = page.get("/Contents")
    contents = contents.get_object() if contents is not None else None
    streams = contents if isinstance(contents, list) else [contents]
    total = 0
    for item in streams:
        stream = item.get_object() if item is not None else None
        if stream is not None and hasattr(stream, "get_data"):
            total += len(stream.get_data())
    return total


def _layout_text(page: Any) -> str:
    try:
        return str(page.extract_text(extraction_mode="layout") or "")
    except Exception:  # layout mode is only a hint; plain text still works
        return ""
