"""The one place strings are escaped before they reach Markdown or Discord, by context.

Every string from outside (titles, sentences, feed names, reason phrases, error
messages, URLs) is attacker-controlled by the time it is shown: each context has its
function here, and nothing reaches Discord or a Markdown document without one of them.

- `discord(text)`: text inside an embed or a message — Markdown escaped (so no masked
  `[link](url)`, no code, no spoiler), mention syntax defused, and every line break made a
  space, so no line of ours can start a heading (`#`, `-#`), quote (`>`) or list (`-`).
- `plain(text)`: text Discord shows without Markdown (an embed's footer): one line, no ping.
- `discord_inline(text, limit)`: a name or an outside error inside one of our sentences
  (a feed title, a reason phrase): the same, cut to `limit` characters.
- `message(text)`: one of our error messages, which may quote outside text (a reason
  phrase, a file name): our own formatting kept, but no masked link, no mention, no line
  break, within Discord's 2000-character limit.
- `markdown(text)`: text in a Markdown document (`--format markdown`).
- `link_target(url)`: the target of a link — http(s) only, unsafe characters
  percent-encoded, at most `MAX_URL` characters; None when the URL cannot be linked.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

MESSAGE_LIMIT = 2000  # Discord's limit for a message's content
MAX_URL = 2048  # the longest link target we emit (Discord rejects longer embed URLs)

_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>#|~>])")
_DISCORD = re.compile(r"([\\`*_~|>\[\]])")
_MENTION = re.compile(r"@(?=everyone|here)|<(?=[@#&!])")
_LINE_BREAKS = re.compile(r"[\r\n\v\f\x85\u2028\u2029]+")
# Characters kept as they are in a link target; everything else is percent-encoded
# (spaces, quotes, angle brackets and parentheses would end or break a Markdown link).
_URL_SAFE = "/:?#[]@!$&'*+,;=%-._~"


def _one_line(text: str) -> str:
    return _LINE_BREAKS.sub(" ", text)


def discord(text: str) -> str:
    """For embed or message text: Discord's Markdown escaped, mentions defused, one line.

    Mentions are also disabled on send (allowed_mentions=none); this keeps
    "@everyone" from even looking like a ping.
    """
    text = _DISCORD.sub(r"\\\1", _one_line(text))
    return _MENTION.sub(lambda m: m.group(0) + "\u200b", text)


def plain(text: str) -> str:
    """For places Discord shows without Markdown (an embed's footer): one line, no ping.
    Backslashes would show there, so nothing else is escaped."""
    return _MENTION.sub(lambda m: m.group(0) + "\u200b", _one_line(text))


def discord_inline(text: str, limit: int = 200) -> str:
    """For a name or an outside error quoted in one of our messages: escaped, cut."""
    return cut(discord(text), limit)


def message(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """An error message of ours for Discord: only what could phish or ping is neutralized
    (a masked link needs `[`, a mention `<@`/`@everyone`, a heading a line start)."""
    text = re.sub(r"([\\\[\]])", r"\\\1", _one_line(text))
    return cut(_MENTION.sub(lambda m: m.group(0) + "\u200b", text), limit)


def markdown(text: str) -> str:
    """For a Markdown document (`--format markdown`): what Markdown would interpret."""
    return _MARKDOWN.sub(r"\\\1", _one_line(text))


def link_target(url: str | None) -> str | None:
    """A safe link target, or None: only http(s) with a host, nothing that could end the
    link early, within `MAX_URL` characters."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    safe = quote(url.strip(), safe=_URL_SAFE)
    return safe if len(safe) <= MAX_URL else None


def cut(text: str, limit: int) -> str:
    """At most `limit` characters, at a word boundary, with an ellipsis; never ending on
    a lone backslash (which would escape our own next character)."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    if " " in head[limit // 2 :]:
        head = head[: head.rindex(" ")]
    return head.rstrip(" \\") + "…"
