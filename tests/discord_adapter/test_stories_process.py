"""One story, one post — the real bot process against the emulator, with seven outlets'
feeds served over loopback HTTP and real news reports (ECB+, tests/data/stories).

Four outlets report the fire at the Waitrose supermarket in Wellington (July 2013), one
after the other: one post, edited to list the three others. A fifth report arrives while
Discord holds the answer to that edit, and the bot is killed: after the restart the post
lists the four others once each, and nothing was posted twice. The post is then deleted
by a moderator: the next outlet's report replies (referring to it) instead. An outlet
subscribed with `group:False` gets its own post, and a different story (Lindsay Lohan
checks into rehab) gets its own post too. `/feed log` says where a grouped item went.

Across languages: English, German, French and Italian outlets report the Morocco
earthquake of September 2023 (real reports, tests/data/stories/quakes_xlang.jsonl): one
post listing the three others; a French report of the Turkey-Syria earthquake, in the
same window, gets a post of its own.

Two of the seven feeds carry the same agency copy as another outlet under their own
headline (syndication: ECB+ holds five reports of this story).
"""

from __future__ import annotations

import asyncio
import json
import re
import signal
from pathlib import Path
from typing import Any

from tests.conftest import DATA
from tests.discord_adapter.conftest import process_env, start_process
from tests.discord_adapter.test_feeds_process import summary_posts, wait_for
from tests.fakediscord import FakeDiscord
from tests.feeds.feedserver import FeedServer, LiveFeed
from tests.helpers.story_reports import publish, reports

OUTLETS = ["Wellington Weekly", "Somerset Gazette", "Tiverton Echo", "Western Press",
           "Devon Live Wire", "Taunton Times", "Quantock Post"]  # fmt: skip
ALSO = "Also covered by"


def _also(message: dict[str, Any]) -> list[str]:
    """The outlets' names in a post's "Also covered by" field."""
    fields = message["embeds"][0].get("fields") or []
    values = [f["value"] for f in fields if f["name"] == ALSO]
    return re.findall(r"\[([^\]]+)\]\(", values[0]) if values else []


def _via(message: dict[str, Any]) -> str:
    footer = message["embeds"][0]["footer"]["text"]
    return str(footer.split(" · ")[0].removeprefix("via "))


async def _subscribe(fake: FakeDiscord, channel: int, url: str, **options: Any) -> int:
    inter = await fake.fire_slash_command("feed add", {"url": url, "channel": channel, **options},
                                          channel_id=channel)  # fmt: skip
    view = await fake.wait_for_reply(inter["id"], timeout=60)
    text = str(view["followups"][-1]["content"])
    found = re.search(r"as `#(\d+)`", text)
    assert found, text
    return int(found.group(1))


async def _kill(bot: asyncio.subprocess.Process) -> None:
    if bot.returncode is None:
        bot.send_signal(signal.SIGKILL)
        await bot.wait()


async def _start(fake: FakeDiscord, guild: dict[str, Any], env: dict[str, str],
                 tmp_path: Path) -> asyncio.subprocess.Process:  # fmt: skip
    bot = await start_process(env, tmp_path)
    synced = lambda: any(c["name"] == "feed" for c in fake.synced_commands(guild["id"]))  # noqa: E731
    await wait_for(synced, 90, "commands")
    assert await fake.wait_until_connected(timeout=60), (tmp_path / "bot.log").read_text()
    return bot


async def _newsroom(
    fake: FakeDiscord, tmp_path: Path
) -> tuple[dict[str, Any], int, dict[str, str]]:
    """A guild with a #news channel, and the bot's environment (feeds on loopback, polled
    every second)."""
    guild = await fake.create_guild("Newsroom", channels=["general", "news"])
    env = process_env(fake, guild["id"], tmp_path, FETCH_ALLOWED_NETWORKS="127.0.0.1/32",
                      FEED_POLL_INTERVAL="1", FEED_RETRY_SECONDS="1")  # fmt: skip
    return guild, int(guild["channels"]["news"]), env


async def _one_post_growing(fake: FakeDiscord, feeds: FeedServer, news: int,
                            outlets: list[LiveFeed], rows: list[dict[str, Any]],
                            slug: str) -> None:  # fmt: skip
    """Each outlet publishes its report in turn: one post, listing one more outlet each
    time."""
    for i, row in enumerate(rows):
        publish(feeds, outlets[i], f"{slug}{i}", row["title"], row["text"],
                row.get("language", "en"))  # fmt: skip
        grouped = lambda i=i: [m for m in summary_posts(fake, news)  # noqa: E731
                               if len(_also(m)) == i]  # fmt: skip
        await wait_for(grouped, 120, f"one post listing {i} more outlets")


async def test_five_outlets_of_one_story_make_one_post(tmp_path: Path, feeds: FeedServer) -> None:
    fire, rehab = reports("14/ecbplus"), reports("1/ecbplus")
    assert len(fire) == 5 and rehab
    outlets = [feeds.feed(f"/outlet{i}.xml", title=name) for i, name in enumerate(OUTLETS)]
    async with FakeDiscord(heartbeat_interval=1.0) as fake:
        guild, news, env = await _newsroom(fake, tmp_path)
        bot = await _start(fake, guild, env, tmp_path)
        try:
            subs = [await _subscribe(fake, news, feeds.url(f.path)) for f in outlets[:6]]
            subs.append(await _subscribe(fake, news, feeds.url(outlets[6].path), group=False))
            # Four outlets report the fire, one after the other: one post, listing the
            # three others as they come.
            await _one_post_growing(fake, feeds, news, outlets, fire[:4], "fire")
            [post] = summary_posts(fake, news)
            assert {_via(post), *_also(post)} == set(OUTLETS[:4])
            # The fifth outlet's edit is made but Discord's answer is held: killed meanwhile.
            edit_path = rf"^/channels/{news}/messages/{post['id']}$"
            fake.inject_fault("PATCH", edit_path, kind="slow_response", hang_seconds=120)
            publish(feeds, outlets[4], "fire4", fire[4]["title"], fire[4]["text"])
            await wait_for(lambda: fake.requests("PATCH", edit_path)[3:], 120, "the fifth edit")
            await _kill(bot)
        finally:
            await _kill(bot)

        bot = await _start(fake, guild, env, tmp_path)
        try:
            listed = lambda: len(_also(fake.message(post["id"]))) == 4  # noqa: E731
            await wait_for(listed, 120, "the post listing four more outlets after the restart")
            edited = lambda: len(fake.requests("PATCH", edit_path)) >= 5  # noqa: E731
            await wait_for(edited, 60, "the edit made again")
            await asyncio.sleep(3)  # time for a duplicate to show up
            assert [m["id"] for m in summary_posts(fake, news)] == [post["id"]]
            names = _also(fake.message(post["id"]))
            assert sorted(names) == sorted(set(names)) and {_via(post), *names} == set(OUTLETS[:5])
            plain = [m for m in fake.channel_messages(news) if m["type"] == 0 and not m["embeds"]]
            assert not plain  # no reply either

            # A moderator deletes the post: the next outlet's report replies instead.
            fake.delete_message(post["id"])
            publish(feeds, outlets[5], "fire5", "Waitrose Wellington closed after blaze",
                     fire[0]["text"])  # fmt: skip
            replies = lambda: [m for m in fake.channel_messages(news)  # noqa: E731
                               if m.get("message_reference")]  # fmt: skip
            await wait_for(replies, 120, "a reply to the deleted post")
            [reply] = replies()
            assert reply["message_reference"]["message_id"] == post["id"]
            assert reply["content"].startswith(f"Also covered by [{OUTLETS[5]}](")
            assert f"/{news}/{post['id']}" in reply["content"] and not reply["embeds"]

            # Grouping off for one outlet: its report of the same story is posted.
            publish(feeds, outlets[6], "fire6", "Supermarket fire in Wellington",
                     fire[1]["text"])  # fmt: skip
            await wait_for(lambda: summary_posts(fake, news), 120, "the ungrouped post")
            # A different story in the same window: a post of its own.
            publish(feeds, outlets[0], "rehab0", rehab[0]["title"], rehab[0]["text"])
            await wait_for(lambda: len(summary_posts(fake, news)) >= 2, 120, "the other story")
            await asyncio.sleep(3)
            posts = summary_posts(fake, news)
            assert [_via(m) for m in posts] == [OUTLETS[6], OUTLETS[0]]
            assert [_also(m) for m in posts] == [[], []]
            assert len(replies()) == 1

            # `/feed log` of a grouped outlet links the post it was added to.
            lead = OUTLETS.index(_via(post))
            other = subs[(lead + 1) % 4]
            inter = await fake.fire_slash_command("feed log", {"subscription": other},
                                                  channel_id=news)  # fmt: skip
            view = await fake.wait_for_reply(inter["id"], timeout=60)
            text = view["initial"]["data"]["embeds"][0]["description"]
            assert (f"grouped with [the earlier post](https://discord.com/channels/"
                    f"{guild['id']}/{news}/{post['id']})") in text  # fmt: skip
        finally:
            bot.send_signal(signal.SIGTERM)
            await asyncio.wait_for(bot.wait(), 30)
        assert bot.returncode == 0


async def test_one_story_in_four_languages_makes_one_post(
    tmp_path: Path, feeds: FeedServer
) -> None:
    text = (DATA / "stories" / "quakes_xlang.jsonl").read_text(encoding="utf-8")
    rows = {r["id"]: r for r in map(json.loads, text.splitlines())}
    morocco = [rows[f"quake-morocco-2023-{k}"]
               for k in ("en-rappler", "de-br-600", "fr-presslakay", "it-iltempo")]  # fmt: skip
    turkey = rows["quake-turkey-syria-2023-fr-tf1info"]
    names = ["Rappler", "BR24", "Presslakay", "Il Tempo", "TF1 Info"]
    outlets = [feeds.feed(f"/quake{i}.xml", title=name) for i, name in enumerate(names)]
    async with FakeDiscord(heartbeat_interval=1.0) as fake:
        guild, news, env = await _newsroom(fake, tmp_path)
        bot = await _start(fake, guild, env, tmp_path)
        try:
            for outlet in outlets:
                await _subscribe(fake, news, feeds.url(outlet.path))
            await _one_post_growing(fake, feeds, news, outlets, morocco, "morocco")
            [post] = summary_posts(fake, news)
            assert {_via(post), *_also(post)} == set(names[:4])
            publish(feeds, outlets[4], "turkey", turkey["title"], turkey["text"], "fr")
            await wait_for(lambda: len(summary_posts(fake, news)) >= 2, 120, "the other quake")
            await asyncio.sleep(3)  # time for a wrong edit to show up
            posts = summary_posts(fake, news)
            assert [_via(m) for m in posts] == [names[0], names[4]]
            assert [len(_also(m)) for m in posts] == [3, 0]
        finally:
            bot.send_signal(signal.SIGTERM)
            await asyncio.wait_for(bot.wait(), 30)
        assert bot.returncode == 0
