"""Summary -> text, Markdown, JSON, or a Discord embed (as Discord's JSON dict).

The embed is built as a plain dict in Discord's wire format so this module
stays free of discord.py; the cogs turn it into `discord.Embed.from_dict`.
Every Discord limit is respected by dropping whole sentences or entities.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from bot.models import Entity, Summary

LANGUAGE_NAMES = {
    "ar": "Arabic", "ca": "Catalan", "cs": "Czech", "da": "Danish", "de": "German",
    "el": "Greek", "en": "English", "es": "Spanish", "fa": "Persian", "fi": "Finnish",
    "fr": "French", "he": "Hebrew", "hi": "Hindi", "hu": "Hungarian", "id": "Indonesian",
    "it": "Italian", "ja": "Japanese", "ko": "Korean", "nl": "Dutch", "no": "Norwegian",
    "pl": "Polish", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sv": "Swedish",
    "tr": "Turkish", "uk": "Ukrainian", "vi": "Vietnamese", "zh": "Chinese",
}  # fmt: skip

ENTITY_HEADINGS = {
    "person": "People",
    "place": "Places",
    "organization": "Organizations",
    "other": "Other",
}

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits)
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELD_NAME = 256
EMBED_FIELD_VALUE = 1024
EMBED_FIELDS = 25
EMBED_FOOTER = 2048
EMBED_TOTAL = 6000
EMBED_COLOR = 0x2B6CB0


def language_name(code: str) -> str:
    name = LANGUAGE_NAMES.get(code)
    return f"{name} ({code})" if name else code


def source_parts(summary: Summary, *, with_link: bool = True) -> list[str]:
    """The pieces of the source line: publisher · author · date · link · language · size."""
    src = summary.source
    parts = [p for p in (src.name, src.author) if p]
    if src.published:
        parts.append(src.published.isoformat())
    if with_link and src.url:
        parts.append(src.url)
    parts.append(language_name(summary.language))
    parts.append(reduction_text(summary))
    return parts


def reduction_text(summary: Summary) -> str:
    stats = summary.stats
    return (
        f"{stats.words:,} words → {stats.summary_words:,}, {round(stats.reduction * 100)}% shorter"
    )


def entities_by_type(entities: list[Entity]) -> dict[str, list[Entity]]:
    grouped: dict[str, list[Entity]] = {}
    for entity in entities:
        grouped.setdefault(entity.type, []).append(entity)
    return {t: grouped[t] for t in ENTITY_HEADINGS if t in grouped}


# -- plain text and Markdown -------------------------------------------------------


def to_text(summary: Summary) -> str:
    lines = []
    if summary.title:
        lines += [summary.title, "=" * min(len(summary.title), 80), ""]
    lines += [f"- {sentence}" for sentence in summary.summary]
    grouped = entities_by_type(summary.entities)
    if grouped:
        lines.append("")
        lines.append("Key entities:")
        for kind, items in grouped.items():
            lines.append(f"  {ENTITY_HEADINGS[kind]}: " + ", ".join(e.text for e in items))
    lines += ["", "Source: " + " · ".join(source_parts(summary))]
    return "\n".join(lines) + "\n"


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~>])")


def escape_markdown(text: str) -> str:
    """Escape what Markdown (and Discord's flavour of it) would interpret."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def to_markdown(summary: Summary) -> str:
    lines = []
    if summary.title:
        title = escape_markdown(summary.title)
        lines.append(f"## [{title}]({summary.source.url})" if summary.source.url else f"## {title}")
        lines.append("")
    lines += [f"- {escape_markdown(s)}" for s in summary.summary]
    grouped = entities_by_type(summary.entities)
    if grouped:
        lines += ["", "**Key entities**", ""]
        for kind, items in grouped.items():
            names = ", ".join(escape_markdown(e.text) for e in items)
            lines.append(f"- *{ENTITY_HEADINGS[kind]}:* {names}")
    lines += ["", "*" + " · ".join(escape_markdown(p) for p in source_parts(summary)) + "*"]
    return "\n".join(lines) + "\n"


def to_json_dict(summary: Summary) -> dict[str, Any]:
    return summary.model_dump(mode="json")


def to_json(summary: Summary, *, indent: int | None = 2) -> str:
    return json.dumps(to_json_dict(summary), ensure_ascii=False, indent=indent)


def render(summary: Summary, fmt: str) -> str:
    if fmt == "json":
        return to_json(summary) + "\n"
    if fmt == "markdown":
        return to_markdown(summary)
    return to_text(summary)


# -- Discord embed ----------------------------------------------------------------

_DISCORD_SPECIAL = re.compile(r"([\\`*_~|>\[\]])")
_MENTION = re.compile(r"@(?=everyone|here)|<(?=[@#&!])")


def escape_discord(text: str) -> str:
    """Escape Discord Markdown and defuse mention syntax.

    Mentions are also disabled on send (allowed_mentions=none); this keeps
    "@everyone" from even looking like a ping.
    """
    text = _DISCORD_SPECIAL.sub(r"\\\1", text)
    return _MENTION.sub(lambda m: m.group(0) + "\u200b", text)


def _fit(text: str, limit: int) -> str:
    """Shorten to `limit` characters at a word boundary, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:\\") + "…"


def embed_dict(summary: Summary, *, feed_name: str | None = None) -> dict[str, Any]:
    """A Discord embed within every limit, dropping whole sentences/entities to fit."""
    embed: dict[str, Any] = {"type": "rich", "color": EMBED_COLOR}
    title = summary.title or _host(summary.source.url) or "Summary"
    embed["title"] = _fit(escape_discord(title), EMBED_TITLE)
    if summary.source.url and summary.source.url.startswith(("http://", "https://")):
        embed["url"] = summary.source.url

    footer_parts = source_parts(summary, with_link=False)
    if feed_name:
        footer_parts.insert(0, f"via {feed_name}")
    embed["footer"] = {"text": _fit(" · ".join(footer_parts), EMBED_FOOTER)}
    if summary.source.published:
        embed["timestamp"] = f"{summary.source.published.isoformat()}T00:00:00+00:00"

    # Whole sentences only: stop before the one that would overflow.
    bullets: list[str] = []
    used = 0
    for sentence in summary.summary:
        line = f"• {escape_discord(sentence)}"
        if len(line) > EMBED_DESCRIPTION:
            line = _fit(line, EMBED_DESCRIPTION)  # a single giant "sentence": cut at a word
        if used + len(line) + 1 > EMBED_DESCRIPTION:
            break
        bullets.append(line)
        used += len(line) + 1
    embed["description"] = "\n".join(bullets)

    entity_lines = _entity_lines(summary.entities, EMBED_FIELD_VALUE)
    embed["fields"] = (
        [{"name": "Key entities", "value": "\n".join(entity_lines), "inline": False}]
        if entity_lines
        else []
    )

    # Total budget: drop entities, then sentences, until it fits.
    while embed_length(embed) > EMBED_TOTAL and entity_lines:
        entity_lines.pop()
        if entity_lines:
            embed["fields"][0]["value"] = "\n".join(entity_lines)
        else:
            embed["fields"] = []
    while embed_length(embed) > EMBED_TOTAL and bullets:
        bullets.pop()
        embed["description"] = "\n".join(bullets)
    if not embed["fields"]:
        del embed["fields"]
    return embed


def _entity_lines(entities: list[Entity], limit: int) -> list[str]:
    """One line per entity type ("**People:** a, b"), whole names only, within `limit`."""
    lines: list[str] = []
    used = 0
    for kind, items in entities_by_type(entities).items():
        head = f"**{ENTITY_HEADINGS[kind]}:** "
        names: list[str] = []
        for entity in items:
            line = head + ", ".join([*names, escape_discord(entity.text)])
            if used + len(line) + 1 > limit:
                break
            names.append(escape_discord(entity.text))
        if names:
            line = head + ", ".join(names)
            lines.append(line)
            used += len(line) + 1
    return lines


def embed_length(embed: dict[str, Any]) -> int:
    """Characters Discord counts toward the 6000 total."""
    total = len(embed.get("title", "")) + len(embed.get("description", ""))
    total += len(embed.get("footer", {}).get("text", ""))
    total += len(embed.get("author", {}).get("name", ""))
    for field in embed.get("fields", []):
        total += len(field["name"]) + len(field["value"])
    return total


def _host(url: str | None) -> str | None:
    return urlsplit(url).hostname if url else None
