"""A digest's stories -> Discord messages: each a list of embeds (Discord's JSON dicts).

Within every limit Discord sets: an embed's description 4096 characters, the embeds of one
message 6000 in all (titles, descriptions, footers), 10 embeds a message. A story is never
split: its lines go whole into an embed, the next embed, or the next message; a summary
sentence that would make a story too long is left out whole, never cut. The same stories
give the same messages every time (a repeat after a crash resumes at the first page not
sent, with the same nonces).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from bot import escape
from bot.discord_adapter.embeds import EMBED_DESCRIPTION, EMBED_TOTAL, embed_length
from bot.server_settings import DEFAULT_COLOR

EMBEDS_PER_MESSAGE = 10
STORY_MAX = 2000  # one story's lines, at most (whole sentences are left out to fit)
TITLE_MAX = 200  # a story's title (a headline: cut at a word if ever longer)
LINK_MAX = 600  # a longer link is not linked (it would eat the budget)
OUTLETS_SHOWN = 6
OUTLETS_MAX = 900  # the outlets line, at most (then "and N more")
FOOTER_MAX = 64  # "Part 12 of 12 · 50 stories · weekdays 17:30" fits
STORY_GAP = "\n\n"


def _link(text: str, url: str | None) -> str:
    target = escape.link_target(url)
    if target is None or len(target) > LINK_MAX:
        return text
    return f"[{text}]({target})"


def _outlets(story: dict[str, Any]) -> str:
    """The outlets that covered the story, linked to their reports, within OUTLETS_MAX."""
    outlets = story.get("outlets") or []
    shown: list[str] = []
    for outlet in outlets[:OUTLETS_SHOWN]:
        name = escape.discord_inline(str(outlet.get("name") or "?"), 60)
        linked = _link(name, outlet.get("link"))
        if sum(len(s) + 3 for s in shown) + len(linked) > OUTLETS_MAX - 20:
            linked = name  # no room for its link
            if sum(len(s) + 3 for s in shown) + len(linked) > OUTLETS_MAX - 20:
                break
        shown.append(linked)
    more = len(outlets) - len(shown)
    text = " · ".join(shown) + (f" · and {more} more" if more > 0 else "")
    count = f"{len(outlets)} outlets" if len(outlets) > 1 else "1 outlet"
    return f"*{count}:* {text}" if shown else ""


def story_text(story: dict[str, Any]) -> str:
    """One story: its linked title, whole summary sentences, its outlets."""
    title = escape.cut(escape.discord(story.get("title") or "Untitled"), TITLE_MAX)
    head = f"**{_link(title, story.get('link'))}**"
    outlets = _outlets(story)
    lines = [head]
    used = len(head) + len(outlets) + 2
    for sentence in story.get("sentences") or []:
        line = escape.discord(sentence)
        if used + len(line) + 1 > STORY_MAX:
            break  # whole sentences only
        lines.append(line)
        used += len(line) + 1
    if outlets:
        lines.append(outlets)
    return "\n".join(lines)


def _local(iso: str, zone: str) -> str:
    when = dt.datetime.fromisoformat(iso)
    try:
        when = when.astimezone(zoneinfo.ZoneInfo(zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        when = when.astimezone(dt.UTC)
    return when.strftime("%a %d %b %Y %H:%M %Z")


def digest_title(content: dict[str, Any]) -> str:
    zone = str(content.get("timezone") or "UTC")
    return f"Digest · {_local(content['end'], zone)}"


def digest_pages(content: dict[str, Any], color: int = DEFAULT_COLOR) -> list[list[dict[str, Any]]]:
    """The messages of a digest, in order; each a list of embed dicts."""
    texts = [story_text(s) for s in content.get("stories") or []]
    pages: list[list[dict[str, Any]]] = []
    page: list[dict[str, Any]] = []
    for text in texts:
        embed = page[-1] if page else None
        if embed is not None and (
            len(embed["description"]) + len(STORY_GAP) + len(text) <= EMBED_DESCRIPTION
            and _total(page) + len(STORY_GAP) + len(text) <= EMBED_TOTAL - FOOTER_MAX
        ):
            embed["description"] += STORY_GAP + text
            continue
        fresh: dict[str, Any] = {"type": "rich", "color": color, "description": text}
        if not pages and not page:
            fresh["title"] = escape.cut(escape.plain(digest_title(content)), 256)
        if (
            page
            and len(page) < EMBEDS_PER_MESSAGE
            and (_total(page) + embed_length(fresh) <= EMBED_TOTAL - FOOTER_MAX)
        ):
            page.append(fresh)
        else:
            if page:
                pages.append(page)
            page = [fresh]
    if page:
        pages.append(page)
    stories = len(texts)
    for number, msg in enumerate(pages, 1):
        where = f"Part {number} of {len(pages)} · " if len(pages) > 1 else ""
        footer = f"{where}{stories} stories · {content.get('schedule', '')}"
        msg[-1]["footer"] = {"text": escape.cut(escape.plain(footer), FOOTER_MAX)}
    return pages


def _total(page: list[dict[str, Any]]) -> int:
    return sum(embed_length(e) for e in page)
