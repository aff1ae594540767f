"""`/summarize` and the "Summarize" message action, end to end against the emulator."""

from __future__ import annotations

import asyncio
import io
import re
from typing import Any

import pytest

from bot.discord_adapter.client import PERMISSIONS
from tests.conftest import DATA, SEED
from tests.discord_adapter.conftest import Harness
from tests.helpers.webserver import ThreadedServer

SEED_TITLE = ("L'Irak et les États-Unis conviennent de discuter du calendrier du retrait "
              "des troupes américaines")  # fmt: skip


def the_embed(view: dict[str, Any]) -> dict[str, Any]:
    assert not view["errors"], view["errors"]
    messages = [m for m in view["followups"] if m.get("embeds")]
    assert len(messages) == 1, view
    return messages[0]["embeds"][0]


def error_text(view: dict[str, Any]) -> str:
    """The one ephemeral answer, with no public message left behind."""
    visible = [m for m in [view["original"], *view["followups"]]
               if m and not m["ephemeral"] and not m["deleted"]]  # fmt: skip
    assert not visible, visible
    if view["initial"] and view["initial"]["type"] == 4:
        assert view["ephemeral"]
        return str(view["initial"]["data"]["content"])
    answers = [m for m in view["followups"] if m["ephemeral"] and not m["deleted"]]
    assert answers, view
    return str(answers[-1]["content"])


def check_seed_embed(embed: dict[str, Any]) -> None:
    assert embed["title"] == SEED_TITLE
    article = SEED.read_text(encoding="utf-8")
    bullets = embed["description"].split("\n")
    assert len(bullets) == 3
    for bullet in bullets:
        assert bullet.startswith("• ")
        assert bullet[2:].replace("\\", "") in article
    entities = embed["fields"][0]
    assert entities["name"] == "Key entities"
    for name in ["Bagdad", "Lloyd Austin", "Daech"]:
        assert name in entities["value"]
    assert "AFP" not in entities["value"] and "Pelosi" not in entities["value"]
    footer = embed["footer"]["text"]
    assert "Press TV" in footer or "PRESS TV" in footer.upper()
    assert "French (fr)" in footer and "% shorter" in footer


async def test_summarize_a_link(harness: Harness, web_server: ThreadedServer) -> None:
    page = (DATA / "articles" / "en_spacecraft.html").read_bytes()
    url = web_server.add_bytes("/news/spacecraft.html", page, "text/html; charset=utf-8")
    view = await harness.slash({"url": url, "sentences": 2})
    assert view["deferred"] and not view["ephemeral"]
    embed = the_embed(view)
    assert embed["url"] == url
    assert embed["title"]
    assert len(embed["description"].split("\n")) == 2
    assert "English (en)" in embed["footer"]["text"]
    assert "Example News" in embed["footer"]["text"]


async def test_summarize_an_uploaded_seed(harness: Harness) -> None:
    view = await harness.slash({}, attachments={"file": ("article.txt", SEED.read_bytes())})
    check_seed_embed(the_embed(view))


async def test_summarize_pasted_text(harness: Harness) -> None:
    view = await harness.slash({"text": SEED.read_text(encoding="utf-8")})
    check_seed_embed(the_embed(view))


async def test_private_answer_is_ephemeral(harness: Harness) -> None:
    view = await harness.slash({"text": SEED.read_text(encoding="utf-8"), "private": True})
    assert view["ephemeral"]
    assert the_embed(view)["title"] == SEED_TITLE
    assert harness.fake.channel_messages(harness.channel) == []


async def test_message_action_on_a_link_a_file_and_text(
    harness: Harness, web_server: ThreadedServer
) -> None:
    page = (DATA / "articles" / "fr_kremlin.html").read_bytes()
    url = web_server.add_bytes("/kremlin", page, "text/html; charset=utf-8")
    fake = harness.fake
    cases: list[dict[str, Any]] = [
        {"content": f"Have a look <{url}> !"},
        {"content": "", "attachments": [("seed.txt", SEED.read_bytes())]},
        {"content": SEED.read_text(encoding="utf-8")[:1900]},
    ]
    embeds = []
    for case in cases:
        inter = await fake.fire_message_command("Summarize", channel_id=harness.channel, **case)
        embeds.append(the_embed(await fake.wait_for_reply(inter["id"], timeout=20)))
    assert embeds[0]["url"] == url and "French (fr)" in embeds[0]["footer"]["text"]
    assert embeds[1]["title"] == SEED_TITLE
    assert "Bagdad" in embeds[2]["fields"][0]["value"]


@pytest.mark.parametrize(
    ("options", "attachments", "expected"),
    [
        ({}, None, "give me something"),
        ({"url": "https://example.org/a", "text": "some text"}, None, "only one source"),
        ({}, {"file": ("photo.png", b"\x89PNG\r\n\x1a\n" + bytes(200))}, "can't read"),
        ({"url": "not a link"}, None, "http"),
    ],
)
async def test_input_errors_are_private(
    harness: Harness, options: dict[str, Any], attachments: Any, expected: str
) -> None:
    view = await harness.slash(options, attachments=attachments)
    assert expected in error_text(view).lower()


async def test_errors_after_work_started_are_private(
    harness: Harness, web_server: ThreadedServer
) -> None:
    missing = web_server.url("/gone")
    cases = [
        ({"url": missing}, "404"),
        ({"text": "ok, thanks!"}, "no article"),
        ({"text": " ".join(["12345 !!! 678 ---"] * 10)}, "language"),
        ({"url": "http://10.0.0.1/internal"}, "private"),
    ]
    for options, expected in cases:
        view = await harness.slash(options)
        assert expected in error_text(view).lower(), (options, view)
    assert web_server.hits.get("/gone") == 1
    assert harness.fake.channel_messages(harness.channel) == []


@pytest.fixture
def bot_overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    return getattr(request, "param", {})


@pytest.mark.parametrize("bot_overrides", [{"max_file_bytes": 50_000}], indirect=True)
async def test_file_too_large(harness: Harness) -> None:
    big = SEED.read_bytes() * 20
    view = await harness.slash({}, attachments={"file": ("big.txt", big)})
    assert "limit" in error_text(view).lower()


@pytest.mark.parametrize("bot_overrides", [{"user_cooldown_seconds": 60}], indirect=True)
async def test_cooldown_says_when_to_retry(harness: Harness) -> None:
    text = SEED.read_text(encoding="utf-8")
    first = await harness.slash({"text": text})
    assert the_embed(first)
    second = await harness.slash({"text": text})
    assert "try again in" in error_text(second).lower()


async def test_rate_limited_followup_is_retried_once(harness: Harness) -> None:
    harness.fake.inject_fault("POST", r"^/webhooks/", kind="ratelimit", count=1, retry_after=0.5)
    view = await harness.slash({"text": SEED.read_text(encoding="utf-8")})
    await asyncio.sleep(1.0)  # a duplicate would arrive after the retry
    view = harness.fake.interaction(view["id"])
    assert the_embed(view)["title"] == SEED_TITLE
    posts = harness.fake.requests("POST", r"^/webhooks/")
    assert [r["status"] for r in posts] == [429, 200]


async def test_everyone_in_an_article_pings_nobody(harness: Harness) -> None:
    text = (
        "@everyone The city council approved the new budget on Monday after a long debate. "
        "Council members said the plan would fund schools and roads for @here residents. "
        "The mayor, Anna Schmidt, called the vote a turning point for the city of Lyon. "
        "Opponents argued that the budget raised taxes too quickly for small businesses."
    )
    view = await harness.slash({"text": text})
    message = next(m for m in view["followups"] if m.get("embeds"))
    assert message["mention_everyone"] is False
    assert message["mentions"] == []
    assert message["allowed_mentions"] == {"parse": []}


async def test_twenty_thousand_word_article_fits_every_limit(harness: Harness) -> None:
    base = (DATA / "articles" / "en_spacecraft.txt").read_text(encoding="utf-8")
    text = (base + "\n\n") * (20_000 // len(base.split()) + 1)
    assert len(text.split()) >= 20_000
    view = await harness.slash({"sentences": 10}, attachments={"file": ("long.txt", text.encode())})
    embed = the_embed(view)  # the emulator rejects any embed over Discord's limits
    assert len(embed["description"]) <= 4096
    words = re.search(r"([\d,]+) words →", embed["footer"]["text"])
    assert words and int(words.group(1).replace(",", "")) >= 20_000


async def test_heartbeats_continue_while_summarizing_a_large_pdf(harness: Harness) -> None:
    # ~80,000 words over 120 pages: extraction and analysis take well over a second here.
    pdf = make_pdf((DATA / "articles" / "en_spacecraft.txt").read_text(encoding="utf-8"), 60)
    lags: list[float] = []

    async def watch_loop() -> None:  # how late the bot's event loop wakes up
        while True:
            started = asyncio.get_running_loop().time()
            await asyncio.sleep(0.05)
            lags.append(asyncio.get_running_loop().time() - started - 0.05)

    watcher = asyncio.create_task(watch_loop())
    before = sum(harness.fake.heartbeat_acks())
    started = asyncio.get_running_loop().time()
    inter = await harness.fake.fire_slash_command(
        "summarize", {}, channel_id=harness.channel, attachments={"file": ("report.pdf", pdf)}
    )
    view = await harness.fake.wait_for_reply(inter["id"], timeout=60)
    elapsed = asyncio.get_running_loop().time() - started
    watcher.cancel()
    assert the_embed(view)
    acks = sum(harness.fake.heartbeat_acks()) - before
    # heartbeats every 0.25 s kept being sent and acknowledged during the work
    assert acks >= int(elapsed / 0.25) - 2, (acks, elapsed)
    assert max(lags) < 0.5, max(lags)


def make_pdf(text: str, pages: int) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    buffer = io.BytesIO()
    style = getSampleStyleSheet()["BodyText"]
    story = [Paragraph(text, style) for _ in range(pages * 2)]
    SimpleDocTemplate(buffer, pagesize=A4).build(story)
    return buffer.getvalue()


async def test_about_and_help(harness: Harness) -> None:
    fake = harness.fake
    about = await fake.wait_for_reply((await fake.fire_slash_command(
        "precis about", {}, channel_id=harness.channel))["id"])  # fmt: skip
    embed = about["initial"]["data"]["embeds"][0]
    names = {f["name"] for f in embed["fields"]}
    assert {"Version", "Algorithm", "Uptime", "Languages", "Invite"} <= names
    invite = next(f["value"] for f in embed["fields"] if f["name"] == "Invite")
    app_id = fake.world.application_id
    assert f"client_id={app_id}&" in invite and "scope=bot+applications.commands" in invite
    assert f"permissions={PERMISSIONS.value}" in invite
    assert about["ephemeral"]
    help_view = await fake.wait_for_reply((await fake.fire_slash_command(
        "precis help", {}, channel_id=harness.channel))["id"])  # fmt: skip
    assert "/summarize" in help_view["initial"]["data"]["content"]
