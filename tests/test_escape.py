"""Hostile strings rendered in every place they can reach Discord or Markdown: no live
masked link, no ping, no line that becomes a heading/quote/list, no javascript: target,
nothing over Discord's limits."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from bot import escape
from bot.discord_adapter.embeds import EMBED_TOTAL, embed_dict, embed_length
from bot.discord_adapter.notices import notice_text, subscription_line
from bot.feeds.rows import Notice, Subscription
from bot.models import Entity, SourceInfo, Stats, Summary
from bot.render import to_markdown

HOSTILE = [
    "[Click to verify your account](https://evil.example/login)",
    "@everyone @here <@123456> <@&987> <#42>",
    "ok\n# FREE NITRO: CLICK discord.gg/x\n-# small\n> quote\n- list",
    "line\u2028# heading after a Unicode line separator",
    "`code` **bold** ~~strike~~ ||spoiler|| _it_",
    "https://news.example/a) [Click me](javascript:alert(1)) (",
    "x" * 3000 + " [tail](https://evil.example)",
]
LIVE_LINK = re.compile(r"(?<!\\)\[[^\]\n]*(?<!\\)\]\(")
PING = re.compile(r"@(everyone|here)|<@&?\d|<#\d")
BLOCK_AT_LINE_START = re.compile(r"^(#|-#|>|- )", re.M)


def _assert_safe(text: str, *, ours: bool = False) -> None:
    assert not LIVE_LINK.search(text), text[:300]
    assert not PING.search(text), text[:300]
    assert not re.search(r"(?<!\\)\]\(\s*javascript:", text), text[:300]
    if not ours:
        assert not BLOCK_AT_LINE_START.search(text), text[:300]


def _summary(text: str, url: str | None = "https://news.example/a") -> Summary:
    return Summary(
        title=text,
        language="en",
        source=SourceInfo(name=text, url=url, author=text, published=dt.date(2024, 5, 1)),
        summary=[text, "A plain sentence."],
        entities=[Entity(text=text[:200], type="person", count=2)],
        stats=Stats(words=100, sentences=2, summary_words=20, reduction=0.8),
        algorithm="precis",
    )


@pytest.mark.parametrize("text", HOSTILE)
def test_embed_text_is_inert_and_within_limits(text: str) -> None:
    embed = embed_dict(_summary(text), feed_name=text)
    assert embed_length(embed) <= EMBED_TOTAL
    for value in (embed["title"], embed["description"],
                  *(f["value"] for f in embed.get("fields", []))):  # fmt: skip
        _assert_safe(value)
    # Discord renders no Markdown in a footer: one line and no ping is what matters there.
    footer = embed["footer"]["text"]
    assert "\n" not in footer and "\u2028" not in footer and not PING.search(footer)
    # Each bullet is one line: a sentence's own line breaks cannot start a heading.
    assert all(line.startswith("• ") for line in embed["description"].split("\n"))


@pytest.mark.parametrize(
    "url",
    ["https://news.example/a) [Click me](javascript:alert(1)) (", "javascript:alert(1)",
     "https://news.example/" + "a" * 3000, "https://exa mple.com/x y", "ftp://x.example/f",
     "https://news.example/a b<c>(d)"],
)  # fmt: skip
def test_link_targets_are_http_only_encoded_and_capped(url: str) -> None:
    embed = embed_dict(_summary("Title", url=url))
    markdown = to_markdown(_summary("Title", url=url))
    target = escape.link_target(url)
    if target is None:
        assert "url" not in embed and "](" not in markdown.splitlines()[0]
    else:
        assert embed["url"] == target and len(target) <= escape.MAX_URL
        assert not re.search(r"[\s()<>]", target) and target.startswith("http")
        first = markdown.splitlines()[0]
        assert first.endswith(f"]({target})") and first.count("](") == 1


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_document_has_no_live_markup(text: str) -> None:
    markdown = to_markdown(_summary(text))
    body = [line for line in markdown.splitlines() if line.startswith("- ")]
    assert body and all(LIVE_LINK.search(line) is None for line in body)
    assert not re.search(r"^(#|>)", "\n".join(markdown.splitlines()[2:]), re.M)


def _notice(kind: str, **params: object) -> Notice:
    return Notice(id=1, guild_id=1, channel_id=2, subscription_id=3, kind=kind,
                  params=dict(params), text="", attempts=0)  # fmt: skip


@pytest.mark.parametrize("text", HOSTILE)
def test_notices_quote_titles_and_reason_phrases_inertly(text: str) -> None:
    notices = [
        _notice("failing", title=text, failures=3, error=f"answered 500 {text}",
                since="2024-05-01T08:00:00+00:00"),
        _notice("recovered", title=text),
        _notice("flood", title=text, total=9, posted=5),
        _notice("paused", title=text, channel_id=2, reason="the channel <#2> no longer exists"),
    ]  # fmt: skip
    for notice in notices:
        rendered = notice_text(notice)
        assert len(rendered) <= escape.MESSAGE_LIMIT
        _assert_safe(rendered.replace("<#2>", ""))  # our own channel reference stays
    sub = Subscription(
        id=1, feed_id=1, guild_id=1, channel_id=2, sentences=3,
        paused=False, paused_reason=None, paused_at=None, created_at=dt.datetime.now(dt.UTC),
        created_by=None, feed_url="https://x.example/feed", feed_title=text, last_success=None,
        failure_count=4, failing_since=dt.datetime.now(dt.UTC), last_error=text,
        next_poll=dt.datetime.now(dt.UTC), filter=f"title:{text!r}", mention_role_id=77,
        mention_when=f"title:{text!r}",
    )  # fmt: skip
    line = subscription_line(sub, default_sentences=3)
    _assert_safe(line.replace("<#2>", "").replace("<@&77>", ""))  # our own role stays


def test_a_3_kb_reason_phrase_still_makes_a_notice_discord_accepts() -> None:
    reason = "[Click to verify](https://evil.example/login) " + "x" * 3000
    text = notice_text(_notice("failing", title="News", failures=3, error=reason, since=None))
    assert len(text) <= 2000 and "\\[Click to verify\\]" in text


@pytest.mark.parametrize("text", HOSTILE)
def test_error_messages_keep_our_formatting_but_not_theirs(text: str) -> None:
    shown = escape.message(f"I can't follow that feed: The page at x answered 502 {text}")
    assert len(shown) <= escape.MESSAGE_LIMIT and "\n" not in shown
    _assert_safe(shown, ours=True)
