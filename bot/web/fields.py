"""Checking what an upload request says, before anything is summarized: the JSON body
(one flat object, parsed without recursion), the numbers `sentences` and `channel_id`,
and a source's text or link. Each bad value becomes an ApiError(400) whose message names
the field; no exception from deeper down (RecursionError, ValueError from int(), a
UnicodeError from a link or from encoding the answer) reaches the handler."""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterable

from yarl import URL

from bot.errors import InvalidLink
from bot.options import SENTENCES_MAX, SENTENCES_MIN
from bot.pipeline import UrlSource, url_source
from bot.web.answers import ApiError, status_for

JSON_FIELDS = ("url", "text", "html", "sentences", "channel_id")
SOURCE_FIELDS = ("url", "text", "html")

# Any Discord id (< 2**64) has at most 20 digits; longer numbers are refused before int()
# sees them (it refuses 4,301 digits with a ValueError and is slow well before that).
MAX_DIGITS = 20
MAX_NUMBER_CHARS = 32  # a JSON number written with sign, point and exponent
# The body has five fields; a few more get their names listed as unknown, and a body of
# thousands of fields is refused while it is read rather than built as a dict.
MAX_JSON_FIELDS = 32
# Names are echoed in error messages, shortened to this; at most this many are listed.
SHOWN_CHARS = 40
SHOWN_NAMES = 5

NOT_JSON = "The body is not valid JSON."
NOT_OBJECT = "The body must be a JSON object."
SENTENCES = f'"sentences" must be a whole number from {SENTENCES_MIN} to {SENTENCES_MAX}.'
CHANNEL = '"channel_id" must be a Discord channel id (a number).'
NOT_A_LINK = "That link is not a valid web address."

_SPACE = re.compile(r"[ \t\n\r]*")


# ---------------------------------------------------------------------- the JSON body


def _json_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_DIGITS:
        raise ApiError(400, f"A number in the body has more than {MAX_DIGITS} digits.")
    return int(digits)


def _json_float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise ApiError(400, f"A number in the body is longer than {MAX_NUMBER_CHARS} characters.")
    return float(text)


_DECODER = json.JSONDecoder(parse_int=_json_int, parse_float=_json_float)


def parse_json(raw: bytes) -> dict[str, object]:
    """The body as one flat JSON object (UTF-8, as RFC 8259 asks).

    Only its top level is parsed here, value by value with json's own decoder: a value
    that is itself an array or an object is refused before json, which recurses, would
    build it, so no nesting depth can exhaust the stack."""
    try:
        text = raw.removeprefix(codecs.BOM_UTF8).decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "The body is not valid JSON: send it as UTF-8.") from None
    try:
        return _parse_object(text)
    except ValueError:  # json.JSONDecodeError
        raise ApiError(400, NOT_JSON) from None


def _skip(text: str, at: int) -> int:
    return _SPACE.match(text, at).end()  # type: ignore[union-attr]  # it always matches


def _parse_object(text: str) -> dict[str, object]:
    at = _skip(text, 0)
    if at == len(text):
        raise ApiError(400, NOT_JSON)
    if text[at] != "{":
        raise ApiError(400, NOT_OBJECT)
    data: dict[str, object] = {}
    at = _skip(text, at + 1)
    closing = text.startswith("}", at)
    while not closing:
        if not text.startswith('"', at):
            raise ApiError(400, NOT_JSON)
        name, at = _DECODER.raw_decode(text, at)
        at = _skip(text, at)
        if not text.startswith(":", at):
            raise ApiError(400, NOT_JSON)
        at = _skip(text, at + 1)
        if text.startswith(("[", "{"), at):
            raise _nested(name, set(data))
        data[name], at = _DECODER.raw_decode(text, at)
        if len(data) > MAX_JSON_FIELDS:
            raise ApiError(400, f"The body has more than {MAX_JSON_FIELDS} fields; "
                                f"known: {', '.join(JSON_FIELDS)}.")  # fmt: skip
        at = _skip(text, at)
        if text.startswith(",", at):
            at = _skip(text, at + 1)
        elif text.startswith("}", at):
            closing = True
        else:
            raise ApiError(400, NOT_JSON)
    if _skip(text, at + 1) != len(text):
        raise ApiError(400, NOT_JSON)  # something after the object
    return data


def _nested(name: str, earlier: set[str]) -> ApiError:
    """A field whose value is an array or an object: none of the API's fields is one."""
    unknown = sorted((earlier | {name}) - set(JSON_FIELDS))
    if unknown:
        return unknown_fields(unknown)
    if name == "sentences":
        return ApiError(400, SENTENCES)
    if name == "channel_id":
        return ApiError(400, CHANNEL)
    return ApiError(400, f'"{name}" must be a string.')


def unknown_fields(names: Iterable[str]) -> ApiError:
    shown = [shorten(name) for name in names]
    listed = ", ".join(shown[:SHOWN_NAMES])
    if len(shown) > SHOWN_NAMES:
        listed += f" and {len(shown) - SHOWN_NAMES} more"
    return ApiError(400, f"Unknown field(s) {listed}; known: {', '.join(JSON_FIELDS)}.")


def shorten(name: str) -> str:
    """A name a client sent, short enough to repeat in an error message."""
    return name if len(name) <= SHOWN_CHARS else name[:SHOWN_CHARS] + "…"


# ---------------------------------------------------------------------- the fields


def _whole_number(value: object) -> int | None:
    """A JSON integer, or a string of ASCII digits (not "²" or "٣", which str.isdigit()
    accepts); None for anything else."""
    if isinstance(value, str):
        digits = value.strip()
        if digits.isascii() and digits.isdigit() and len(digits) <= MAX_DIGITS:
            return int(digits)
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def sentence_count(value: object) -> int | None:
    if value is None or value == "":
        return None
    number = _whole_number(value)
    if number is None or not SENTENCES_MIN <= number <= SENTENCES_MAX:
        raise ApiError(400, SENTENCES)
    return number


def channel_id(value: object) -> int | None:
    if value is None or value == "":
        return None
    number = _whole_number(value)
    if number is None or not 0 < number < 2**64:
        raise ApiError(400, CHANNEL)
    return number


def valid_unicode(name: str, value: str) -> str:
    """`value`, if it is valid Unicode. A JSON string may hold a lone surrogate
    ("\\ud800"), which no UTF-8 can carry: refused here, not when the answer (or a
    Discord embed, or a log line) is encoded after the work is done."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = ord(exc.object[exc.start])
        raise ApiError(400, f'"{name}" is not valid Unicode: it holds a lone surrogate '
                            f"(U+{bad:04X}).") from None  # fmt: skip
    return value


def link_source(value: str) -> UrlSource:
    """A link as every door checks it, and as the fetcher will read it: its host must
    parse (yarl) and encode (IDNA, as the resolver will), or the link is refused here
    rather than failing with a UnicodeError on its way out."""
    try:
        source = url_source(value)
        host = URL(source.url).host or ""
        if not host.startswith("[") and ":" not in host:  # IP literals are not IDNA
            host.encode("idna")
    except InvalidLink as exc:
        raise ApiError(status_for(exc), str(exc)) from None
    except ValueError:  # also UnicodeError, its subclass
        raise ApiError(400, NOT_A_LINK) from None
    return source
