"""Invisible characters that have no place in an article, removed wherever text enters.

C0 control characters other than tab and line breaks (NUL among them), DEL, and
the bidirectional controls that make text read backwards (U+202E) or reorder a
link ("Trojan Source"): a summary could show something other than the text it
quotes. The HTML door loses them in trafilatura; the text door (pasted text,
text, Markdown and PDF files) and feed discovery remove them here, before
anything else reads the text, so a summary sentence stays a verbatim substring.
"""

from __future__ import annotations

INVISIBLE: dict[int, None] = {
    code: None
    for code in [
        *range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F, 0x061C, 0x200E, 0x200F,
        *range(0x202A, 0x202F), *range(0x2066, 0x206A),
    ]
}  # fmt: skip


def strip_invisible(text: str) -> str:
    """`text` without control characters (tab and line breaks kept) and bidi controls."""
    return text.translate(INVISIBLE)
