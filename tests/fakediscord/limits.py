"""Message and embed validation with Discord's limits and error bodies.

Discord rejects an oversized message with HTTP 400 and a body such as::

    {"message": "Invalid Form Body", "code": 50035,
     "errors": {"embeds": {"0": {"description": {"_errors": [
         {"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 4096 or fewer in length."}]}}}}}

The functions here build exactly that shape so a bot's error handling sees what it
would see in production.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TOTAL_MAX = 6000
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
AUTHOR_MAX = 256
COLOR_MAX = 0xFFFFFF

INVALID_FORM_BODY = 50035
EMPTY_MESSAGE = 50006


class FormErrors:
    """Collects nested `_errors` entries keyed by a path such as ("embeds", "0", "title")."""

    def __init__(self) -> None:
        self.tree: dict[str, Any] = {}

    def add(self, path: tuple[str, ...], code: str, message: str) -> None:
        node = self.tree
        for part in path:
            node = node.setdefault(part, {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def __bool__(self) -> bool:
        return bool(self.tree)

    def body(self) -> dict[str, Any]:
        return {"message": "Invalid Form Body", "code": INVALID_FORM_BODY, "errors": self.tree}


def _max_len(errors: FormErrors, path: tuple[str, ...], value: Any, limit: int) -> int:
    if value is None:
        return 0
    text = str(value)
    if len(text) > limit:
        errors.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")
    return len(text)


def _check_url(errors: FormErrors, path: tuple[str, ...], value: Any) -> None:
    if value is None:
        return
    scheme = urlsplit(str(value)).scheme
    if scheme not in ("http", "https", "attachment"):
        errors.add(
            path,
            "URL_TYPE_INVALID_SCHEME",
            f"Scheme \"{scheme}\" is not supported. Scheme must be one of ('http', 'https').",
        )


def embed_size(embed: dict[str, Any]) -> int:
    """Characters that count towards the 6000 total, as Discord counts them."""
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    for field in embed.get("fields") or []:
        total += len(str(field.get("name") or "")) + len(str(field.get("value") or ""))
    total += len((embed.get("footer") or {}).get("text") or "")
    total += len((embed.get("author") or {}).get("name") or "")
    return total


def check_embeds(errors: FormErrors, embeds: Any) -> None:
    if embeds is None:
        return
    if not isinstance(embeds, list):
        errors.add(("embeds",), "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType.")
        return
    if len(embeds) > EMBEDS_MAX:
        errors.add(("embeds",), "BASE_TYPE_MAX_LENGTH", f"Must be {EMBEDS_MAX} or fewer in length.")
    total = 0
    for index, embed in enumerate(embeds):
        p = ("embeds", str(index))
        if not isinstance(embed, dict):
            errors.add(p, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType.")
            continue
        _max_len(errors, (*p, "title"), embed.get("title"), TITLE_MAX)
        _max_len(errors, (*p, "description"), embed.get("description"), DESCRIPTION_MAX)
        fields = embed.get("fields") or []
        if len(fields) > FIELDS_MAX:
            errors.add(
                (*p, "fields"), "BASE_TYPE_MAX_LENGTH", f"Must be {FIELDS_MAX} or fewer in length."
            )
        for fi, field in enumerate(fields):
            fp = (*p, "fields", str(fi))
            for key, limit in (("name", FIELD_NAME_MAX), ("value", FIELD_VALUE_MAX)):
                value = field.get(key)
                if value is None or str(value) == "":
                    errors.add((*fp, key), "BASE_TYPE_REQUIRED", "This field is required")
                else:
                    _max_len(errors, (*fp, key), value, limit)
        footer = embed.get("footer")
        if footer is not None:
            _max_len(errors, (*p, "footer", "text"), footer.get("text"), FOOTER_MAX)
        author = embed.get("author")
        if author is not None:
            _max_len(errors, (*p, "author", "name"), author.get("name"), AUTHOR_MAX)
            _check_url(errors, (*p, "author", "url"), author.get("url"))
        _check_url(errors, (*p, "url"), embed.get("url"))
        for media in ("image", "thumbnail"):
            if embed.get(media):
                _check_url(errors, (*p, media, "url"), embed[media].get("url"))
        color = embed.get("color")
        if color is not None and not (isinstance(color, int) and 0 <= color <= COLOR_MAX):
            errors.add(
                (*p, "color"), "NUMBER_TYPE_MAX", f"int value should be <= {COLOR_MAX} and >= 0."
            )
        total += embed_size(embed)
    if total > EMBED_TOTAL_MAX:
        errors.add(
            ("embeds",),
            "MAX_EMBED_SIZE_EXCEEDED",
            f"Embed size exceeds maximum size of {EMBED_TOTAL_MAX}",
        )


def validate_message(
    payload: dict[str, Any], *, n_files: int = 0, require_content: bool = True
) -> tuple[int, dict[str, Any]] | None:
    """Return (status, error body) if Discord would reject this message payload, else None."""
    errors = FormErrors()
    content = payload.get("content")
    if content is not None:
        _max_len(errors, ("content",), content, CONTENT_MAX)
    check_embeds(errors, payload.get("embeds"))
    if errors:
        return 400, errors.body()
    if require_content:
        has_something = bool(
            (content and str(content).strip())
            or payload.get("embeds")
            or n_files
            or payload.get("attachments")
            or payload.get("sticker_ids")
            or payload.get("components")
            or payload.get("poll")
        )
        if not has_something:
            return 400, {"message": "Cannot send an empty message", "code": EMPTY_MESSAGE}
    return None
