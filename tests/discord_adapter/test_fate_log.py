"""The wording of `/feed log` (bot/discord_adapter/fate_log.py): every outside string
escaped, links only to http(s), within an embed's limits."""

from __future__ import annotations

import datetime as dt

from bot.discord_adapter.fate_log import DESCRIPTION_LIMIT, fate_line, log_description, log_title
from bot.feeds.fates import FAILED_FATE, POSTED, RETRY, Fate

NOW = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)


def test_hostile_titles_and_errors_are_defused() -> None:
    title = "[click](https://evil.example) @everyone <@123>"
    reason = "gave up: <@&42> **bold** " + "x" * 500
    fate = Fate(FAILED_FATE, title, "javascript:alert(1)", NOW, reason=reason)
    line = fate_line(fate)
    assert "javascript:" not in line and "\\[click\\](https://evil" in line  # no masked link
    assert "@everyone" not in line.replace("@\u200beveryone", "") and "<@123>" not in line
    assert "<@&42>" not in line and "\\*\\*bold" in line and "…" in line
    assert len(line) < 400


def test_posted_links_the_message_and_retry_shows_when() -> None:
    posted = Fate(POSTED, "Harbour", "https://news.example/1", NOW, guild_id=1, channel_id=2,
                  message_id=3)  # fmt: skip
    assert "posted: [the message](https://discord.com/channels/1/2/3)" in fate_line(posted)
    assert "[Harbour](https://news.example/1)" in fate_line(posted)
    retry = Fate(RETRY, "Harbour", None, NOW, reason="Discord said 503",
                 next_attempt=NOW + dt.timedelta(hours=1))  # fmt: skip
    assert f"waiting for a retry at <t:{int(NOW.timestamp()) + 3600}:f>" in fate_line(retry)


def test_the_log_fits_an_embed() -> None:
    fates = [Fate(FAILED_FATE, "T" * 300, "https://news.example/" + "a" * 500, NOW,
                  reason="e" * 1000) for _ in range(25)]  # fmt: skip
    text = log_description(fates)
    assert len(text) <= DESCRIPTION_LIMIT and text.endswith("more")
    assert len(log_title("F" * 1000, 25)) <= 256
