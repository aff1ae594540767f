"""The one place strings are escaped before they reach Markdown or Discord, by context.

Every string from outside (titles, sentences, feed names, error messages) is
attacker-controlled by the time it is shown: each context has its function here.
"""

from __future__ import annotations

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>#|~>])")
_DISCORD = re.compile(r"([\\`*_~|>\[\]])")
_MENTION = re.compile(r"@(?=everyone|here)|<(?=[@#&!])")
_INLINE = "\\*_~`|>"


def markdown(text: str) -> str:
    """For a Markdown document (`--format markdown`): what Markdown would interpret."""
    return _MARKDOWN.sub(r"\\\1", text)


def discord(text: str) -> str:
    """For embed text: Discord's Markdown escaped and mention syntax defused.

    Mentions are also disabled on send (allowed_mentions=none); this keeps
    "@everyone" from even looking like a ping.
    """
    text = _DISCORD.sub(r"\\\1", text)
    return _MENTION.sub(lambda m: m.group(0) + "\u200b", text)


def discord_inline(text: str, limit: int = 200) -> str:
    """For a name shown inside a message's bold text (a feed title): one line, cut."""
    for char in _INLINE:
        text = text.replace(char, "\\" + char)
    return text.replace("\n", " ")[:limit]
