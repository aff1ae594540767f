"""What kind of document some bytes are, and how to decode them (PDF text: `bot.ingest.pdf`).

The content decides first (PDF magic, HTML sniffing as browsers do it, Markdown
signals); headers and file names only break ties, because uploads are often
misnamed and servers often mislabel.
"""

from __future__ import annotations

import codecs
import logging
import re
from typing import Literal

from charset_normalizer import from_bytes

from bot.errors import EmptyInput, UnsupportedType

Kind = Literal["text", "markdown", "html", "pdf"]

log = logging.getLogger(__name__)

SUPPORTED = "Précis can read plain text, Markdown, HTML and PDF."

# --------------------------------------------------------------------------- detection

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Signatures of formats we do not read, with a name a user recognises.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x00\x00\x01\x00", "an icon file"),
    (b"8BPS", "a Photoshop image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-style Office document (.doc/.xls/.ppt)"),
    (b"{\\rtf", "an RTF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x28\xb5\x2f\xfd", "a zstd archive"),
    (b"\x7fELF", "a program (ELF)"),
    (b"MZ", "a Windows program"),
    (b"\xca\xfe\xba\xbe", "a Java class or macOS program"),
    (b"\x00asm", "a WebAssembly module"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"ID3", "an MP3 audio file"),
    (b"OggS", "an Ogg audio/video file"),
    (b"fLaC", "a FLAC audio file"),
    (b"wOFF", "a web font"),
    (b"wOF2", "a web font"),
    (b"\x1aE\xdf\xa3", "a Matroska/WebM video"),
)

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")

# The WHATWG MIME-sniffing patterns for HTML (checked after leading whitespace).
_HTML_START = re.compile(
    rb"<(?:!doctype\s+html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p)"
    rb"[\s>/]|<!--",
    re.IGNORECASE,
)
_XML_DECL = re.compile(rb"<\?xml[^>]*>", re.IGNORECASE)
_HTML_ANYWHERE = re.compile(rb"<(?:html|head|body)[\s>]|<!doctype\s+html", re.IGNORECASE)
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)[\s>]", re.IGNORECASE)
_TAGS = re.compile(rb"</?(?:p|div|span|a|br|h[1-6]|ul|li|article|section|em|strong)[\s>/]", re.I)

_MD_SIGNALS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"^#{1,6}[ \t]+\S", re.M), 2),  # ATX heading
    (re.compile(r"^\S.*\n(?:=+|-+)[ \t]*$", re.M), 2),  # setext heading
    (re.compile(r"^(?:```|~~~)", re.M), 2),  # code fence
    (re.compile(r"!?\[[^\]\n]+\]\((?:[^)\s]+)(?:\s+\"[^\"]*\")?\)"), 2),  # link or image
    (re.compile(r"^\[[^\]\n]+\]:\s+\S+", re.M), 2),  # reference link definition
    (re.compile(r"(?:\*\*|__)\S[^*_\n]*\S(?:\*\*|__)"), 1),  # strong emphasis
    (re.compile(r"^[ \t]*[-*+][ \t]+\S", re.M), 1),  # bullet list
    (re.compile(r"^[ \t]*\d{1,3}\.[ \t]+\S", re.M), 1),  # numbered list
    (re.compile(r"^>[ \t]?\S", re.M), 1),  # block quote
    (re.compile(r"`[^`\n]+`"), 1),  # inline code
)

_MARKDOWN_TYPES = {"text/markdown", "text/x-markdown", "text/x-web-markdown"}
_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_EXTENSIONS: dict[str, Kind] = {
    "md": "markdown",
    "markdown": "markdown",
    "mdown": "markdown",
    "mkd": "markdown",
    "html": "html",
    "htm": "html",
    "xhtml": "html",
    "txt": "text",
    "text": "text",
    "pdf": "pdf",
}


def detect_kind(data: bytes, *, name: str | None = None, content_type: str | None = None) -> Kind:
    """The kind of document `data` is: content first, then the header, then the file name."""
    if not data.strip():
        raise EmptyInput("The file is empty: there is nothing to summarize.")
    head = data[:4096]
    if b"%PDF-" in data[:1024]:
        return "pdf"
    _refuse_known_binary(data)

    bom_encoding = _bom(head)
    if bom_encoding is not None and bom_encoding != "utf-8":
        # UTF-16/32 text: sniff its ASCII-compatible transcoding.
        text_head = head.decode(bom_encoding, errors="ignore").lstrip("\ufeff")
        if not text_head.strip():
            raise EmptyInput("The file is empty: there is nothing to summarize.")
        head = text_head.encode("utf-8", errors="ignore")
    else:
        if head.startswith(codecs.BOM_UTF8):
            head = head[len(codecs.BOM_UTF8) :]
        if _looks_binary(data):
            raise UnsupportedType(f"That file looks like binary data, not a document. {SUPPORTED}")
        if not data.lstrip(codecs.BOM_UTF8).strip():
            raise EmptyInput("The file is empty: there is nothing to summarize.")

    media = _media_type(content_type)
    stripped = head.lstrip()
    decl = _XML_DECL.match(stripped)
    if decl is not None:
        rest = stripped[decl.end() :].lstrip()
        if _HTML_ANYWHERE.search(rest):
            return "html"
        if _FEED_ROOT.search(rest):
            raise UnsupportedType(
                "That is an RSS/Atom feed, not an article: subscribe to it with the feed "
                f"commands, or send a link to one of its articles. {SUPPORTED}"
            )
    if _HTML_START.match(stripped) or _HTML_ANYWHERE.search(head):
        return "html"
    if media in _HTML_TYPES and _TAGS.search(head):
        return "html"

    text = head.decode("utf-8", errors="replace")
    if _markdown_score(text) >= 2:
        return "markdown"
    if media in _MARKDOWN_TYPES:
        return "markdown"
    ext = _extension(name)
    if ext is not None and _EXTENSIONS.get(ext) == "markdown":
        return "markdown"
    return "text"


def _refuse_known_binary(data: bytes) -> None:
    for magic, what in _SIGNATURES:
        if data.startswith(magic):
            raise UnsupportedType(f"That file looks like {what}. {SUPPORTED}")
    if data[:4] == b"RIFF" and data[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        names = {b"WEBP": "a WebP image", b"WAVE": "a WAV audio file", b"AVI ": "an AVI video"}
        raise UnsupportedType(f"That file looks like {names[data[8:12]]}. {SUPPORTED}")
    if data[4:8] == b"ftyp":
        raise UnsupportedType(f"That file looks like an MP4/QuickTime video or image. {SUPPORTED}")
    if data.startswith(_ZIP_MAGIC):
        raise UnsupportedType(f"That file looks like {_zip_kind(data)}. {SUPPORTED}")


def _zip_kind(data: bytes) -> str:
    head = data[:8192]
    if b"mimetypeapplication/epub+zip" in head:
        return "an EPUB e-book"
    if b"mimetypeapplication/vnd.oasis.opendocument" in head:
        return "an OpenDocument file (.odt/.ods/.odp)"
    if b"word/" in data:
        return "a Word document (.docx)"
    if b"xl/" in data:
        return "an Excel spreadsheet (.xlsx)"
    if b"ppt/" in data:
        return "a PowerPoint presentation (.pptx)"
    return "a ZIP archive"


def _looks_binary(data: bytes) -> bool:
    """NUL bytes, or more than a few control characters, mean it is not text."""
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > max(2, len(sample) // 200)


def _markdown_score(text: str) -> int:
    return sum(weight for pattern, weight in _MD_SIGNALS if pattern.search(text))


def _media_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def _extension(name: str | None) -> str | None:
    if not name or "." not in name:
        return None
    return name.rsplit(".", 1)[1].lower().strip() or None


# --------------------------------------------------------------------------- decoding

# Labels browsers decode as Windows-1252 (the WHATWG Encoding Standard).
_WINDOWS_1252_LABELS = {
    "ascii",
    "us-ascii",
    "iso-8859-1",
    "iso8859-1",
    "iso_8859-1",
    "latin1",
    "latin-1",
    "l1",
    "cp819",
    "ibm819",
    "windows-1252",
    "cp1252",
    "x-cp1252",
    "iso-ir-100",
    "csisolatin1",
    "iso_8859-1:1987",
}
_META_CHARSET = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([a-zA-Z0-9_:.+-]+)""", re.IGNORECASE
)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]*encoding\s*=\s*["']([a-zA-Z0-9_.:+-]+)""")
# Bytes Windows-1252 leaves undefined: their presence means it is some other encoding.
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")


def decode_text(data: bytes, *, declared: str | None = None, is_html: bool = False) -> str:
    """Bytes to text: BOM, declared charset, <meta> charset, UTF-8, then a guess."""
    text = _decode(data, declared=declared, is_html=is_html)
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _decode(data: bytes, *, declared: str | None, is_html: bool) -> str:
    bom = _bom(data)
    if bom is not None:
        return data.decode(bom, errors="replace")

    for label in (declared, _meta_charset(data) if is_html else None):
        codec = _codec(label, html=is_html)
        if codec is None:
            continue
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            if codec == "utf-8" and _mostly_utf8(data):
                return data.decode("utf-8", errors="replace")
            log.debug("declared charset %s does not fit the bytes", label)

    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        if _mostly_utf8(data):
            return data.decode("utf-8", errors="replace")
    return _guess(data)


# A UTF-8 character cut in two (a teaser shortened byte-wise: "papieros\xc3...") makes
# strict decoding fail for the whole page; guessing another encoding then garbles every
# accented letter. Text whose multi-byte characters are nearly all valid UTF-8 is UTF-8
# with a few broken bytes (as browsers show it: one mark per broken sequence); text in a
# legacy encoding (Windows-1252, ISO-8859-2, ...) almost never forms valid sequences.
MAX_BROKEN_UTF8_SHARE = 0.02
_UTF8_CHAR = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_HIGH_BYTES = re.compile(rb"[\x80-\xff]+")


def _mostly_utf8(data: bytes) -> bool:
    valid = len(_UTF8_CHAR.findall(data))
    if valid < 10:
        return False
    broken = len(_HIGH_BYTES.findall(_UTF8_CHAR.sub(b" ", data)))
    return broken <= 1 + MAX_BROKEN_UTF8_SHARE * valid


def _bom(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def _meta_charset(data: bytes) -> str | None:
    head = data[:8192]
    match = _XML_ENCODING.match(head.lstrip()) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii") if match else None


def _codec(label: str | None, *, html: bool) -> str | None:
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _WINDOWS_1252_LABELS:
        return "cp1252"
    try:
        info = codecs.lookup(label)
    except LookupError:
        return None
    name = info.name
    # Only real text encodings: a page or server that declares rot13, base64 or hex
    # (bytes-to-bytes codecs) or UTF-7 (which turns "+ADw-script+AD4-" into "<script>",
    # and which browsers refuse) is ignored, and the bytes are detected instead.
    if not getattr(info, "_is_text_encoding", True) or name in ("utf-7", "utf_7"):
        return None
    if html and name.startswith(("utf-16", "utf-32")):
        return "utf-8"  # a page that declares UTF-16 in ASCII cannot be UTF-16 (WHATWG)
    return name


def _guess(data: bytes) -> str:
    """Not UTF-8 and not declared: Western European text in Windows-1252 is by far the
    commonest case, and charset-normalizer misreads short samples of it (as cp1250)."""
    if not _CP1252_UNDEFINED.intersection(data):
        candidate = data.decode("cp1252")
        letters = [c for c in candidate if c.isalpha()]
        accented = sum(1 for c in letters if not c.isascii())
        if letters and accented / len(letters) <= 0.25:
            return candidate
    best = from_bytes(
        data, cp_exclusion=["utf_16", "utf_16_be", "utf_16_le", "utf_32", "utf_32_be", "utf_32_le"]
    ).best()
    if best is not None and best.encoding:
        codec = _codec(best.encoding, html=False) or best.encoding
        return data.decode(codec, errors="replace")
    return data.decode("cp1252", errors="replace")
