"""Summary -> text, Markdown or JSON, and the parts every rendering shares (the source
line, language names, entities by type). The Discord embed is the adapter's
(`bot.discord_adapter.embeds`)."""

from __future__ import annotations

import json
from typing import Any

from bot import escape
from bot.models import Entity, Summary
from bot.nlp.tokens import UNSPACED_CHARACTERS

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
    # Chinese and Japanese are measured in characters (`bot.nlp.tokens`).
    unit = "characters" if summary.language in UNSPACED_CHARACTERS else "words"
    return (
        f"{stats.words:,} {unit} → {stats.summary_words:,}, {round(stats.reduction * 100)}% shorter"
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


def to_markdown(summary: Summary) -> str:
    lines = []
    if summary.title:
        title = escape.markdown(summary.title)
        link = escape.link_target(summary.source.url)
        lines.append(f"## [{title}]({link})" if link else f"## {title}")
        lines.append("")
    lines += [f"- {escape.markdown(s)}" for s in summary.summary]
    grouped = entities_by_type(summary.entities)
    if grouped:
        lines += ["", "**Key entities**", ""]
        for kind, items in grouped.items():
            names = ", ".join(escape.markdown(e.text) for e in items)
            lines.append(f"- *{ENTITY_HEADINGS[kind]}:* {names}")
    lines += ["", "*" + " · ".join(escape.markdown(p) for p in source_parts(summary)) + "*"]
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
