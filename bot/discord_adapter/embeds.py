"""Summary -> a Discord embed, as Discord's JSON dict (`discord.Embed.from_dict` takes it).

Every Discord limit is respected by dropping whole sentences or entities.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from bot import escape
from bot.models import Entity, Summary
from bot.render import ENTITY_HEADINGS, entities_by_type, source_parts
from bot.server_settings import DEFAULT_COLOR, ServerDefaults

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits)
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELD_NAME = 256
EMBED_FIELD_VALUE = 1024
EMBED_FIELDS = 25
EMBED_FOOTER = 2048
EMBED_TOTAL = 6000
EMBED_COLOR = DEFAULT_COLOR  # a server may choose its own (`/precis settings color:`)



def _fit(text: str, limit: int) -> str:
    """Shorten to `limit` characters at a word boundary, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:\\") + "…"


def embed_dict(
    summary: Summary, *, feed_name: str | None = None, server: ServerDefaults | None = None
) -> dict[str, Any]:
    """A Discord embed within every limit, dropping whole sentences/entities to fit; in the
    server's colour, and without entities when the server turned them off."""
    server = server or ServerDefaults()
    embed: dict[str, Any] = {"type": "rich", "color": server.embed_color}
    title = summary.title or _host(summary.source.url) or "Summary"
    embed["title"] = _fit(escape.discord(title), EMBED_TITLE)
    link = escape.link_target(summary.source.url)
    if link is not None:  # only a well-formed http(s) link: Discord refuses the post else
        embed["url"] = link
    image = escape.link_target(summary.image)  # checked again: a Summary may come from JSON
    if image is not None:
        embed["image"] = {"url": image}

    footer_parts = source_parts(summary, with_link=False)
    if feed_name:
        footer_parts.insert(0, f"via {feed_name}")
    footer = escape.plain(" · ".join(footer_parts))  # footers show no Markdown
    embed["footer"] = {"text": _fit(footer, EMBED_FOOTER)}
    if summary.source.published:
        embed["timestamp"] = f"{summary.source.published.isoformat()}T00:00:00+00:00"

    # Whole sentences only: stop before the one that would overflow.
    bullets: list[str] = []
    used = 0
    for sentence in summary.summary:
        line = f"• {escape.discord(sentence)}"
        if len(line) > EMBED_DESCRIPTION:
            line = _fit(line, EMBED_DESCRIPTION)  # a single giant "sentence": cut at a word
        if used + len(line) + 1 > EMBED_DESCRIPTION:
            break
        bullets.append(line)
        used += len(line) + 1
    embed["description"] = "\n".join(bullets)

    entities = summary.entities if server.show_entities else []
    entity_lines = _entity_lines(entities, EMBED_FIELD_VALUE)
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
            line = head + ", ".join([*names, escape.discord(entity.text)])
            if used + len(line) + 1 > limit:
                break
            names.append(escape.discord(entity.text))
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
