"""A server's own defaults (`/precis settings`): summary sentences, whether entities are
shown, the embed colour, and the languages feed posts are allowed in.

A leaf module apart from `bot.options` (no discord, no database): the store keeps these
values, the cogs parse what a user typed with `parse_color` / `parse_languages`, and the
sentence count is resolved with the others in `bot.options.resolve_sentences`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.options import check_sentences

DEFAULT_COLOR = 0x2B6CB0  # the embed colour when a server has not chosen one
MAX_LANGUAGES = 20
# Words that clear a setting back to the default.
RESET_WORDS = frozenset({"default", "reset", "none", "any", "all", "-"})

# ISO 639-1: every two-letter language code.
_CODES = """
    aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv
    cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho
    hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku
    kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn
    no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm
    sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi
    vo wa wo xh yi yo za zh zu
"""
ISO_639_1 = frozenset(_CODES.split())

_HEX = re.compile(r"^#?([0-9a-f]{6}|[0-9a-f]{3})$", re.IGNORECASE)


@dataclass(frozen=True)
class ServerDefaults:
    """What a server chose; None (or no languages) means "not set": the default applies."""

    sentences: int | None = None
    entities: bool | None = None
    color: int | None = None
    languages: tuple[str, ...] = ()

    @property
    def show_entities(self) -> bool:
        return self.entities is not False

    @property
    def embed_color(self) -> int:
        return DEFAULT_COLOR if self.color is None else self.color

    def allows_language(self, code: str | None) -> bool:
        """Whether a feed post in this language may go out. No list allows every
        language; a text whose language is unknown ("und") is let through."""
        if not self.languages or not code or code == "und":
            return True
        return code.split("-", 1)[0].lower() in self.languages


def parse_color(text: str) -> int | None:
    """`#1f8b4c` (or `1f8b4c`, `#1f8`) as an int; a reset word gives None (the default)."""
    value = text.strip()
    if value.lower() in RESET_WORDS:
        return None
    match = _HEX.match(value)
    if match is None:
        raise ValueError(
            "The colour must be a hex colour like `#1f8b4c` (or `default` to reset it)."
        )
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return int(digits, 16)


def parse_languages(text: str) -> tuple[str, ...]:
    """`en, fr` as ISO 639-1 codes (sorted, unique); a reset word gives () (any language)."""
    value = text.strip().lower()
    if value in RESET_WORDS:
        return ()
    codes = [c for c in re.split(r"[\s,;/]+", value) if c]
    if not codes:
        raise ValueError("Give languages as ISO 639-1 codes like `en, fr` (or `any`).")
    unknown = [c for c in codes if c not in ISO_639_1]
    if unknown:
        shown = ", ".join(f"`{c[:12]}`" for c in unknown[:5])
        raise ValueError(
            f"Not an ISO 639-1 language code: {shown}. Use two-letter codes like `en, fr`."
        )
    unique = tuple(sorted(set(codes)))
    if len(unique) > MAX_LANGUAGES:
        raise ValueError(f"At most {MAX_LANGUAGES} languages, not {len(unique)}.")
    return unique


def check_server_sentences(count: int | None) -> int | None:
    return None if count is None else check_sentences(count)


def color_text(color: int) -> str:
    return f"#{color:06x}"
