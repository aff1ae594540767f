"""OPML parsing and writing: nested outlines, and every kind of hostile file refused whole."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.feeds.opml import MAX_OPML_BYTES, MAX_OUTLINES, OpmlError, build_opml, parse_opml

NESTED = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>My subscriptions in feedly Cloud</title></head>
  <body>
    <outline text="News" title="News">
      <outline type="rss" text="Harbour Gazette" title="Harbour Gazette"
               xmlUrl="https://gazette.example.com/rss" htmlUrl="https://gazette.example.com/"/>
      <outline text="World">
        <outline type="rss" text="Climate Desk" xmlUrl="https://climate.example.com/atom"/>
        <outline text="Deeper"><outline type="rss" title="Valley  Notes"
                 xmlurl="https://valley.example.net/feed.json"/></outline>
      </outline>
    </outline>
    <outline type="rss" text="Duplicate" xmlUrl="https://gazette.example.com/rss"/>
    <outline text="A folder with no feeds"/>
    <outline type="rss" text="No title attribute either" xmlUrl="ftp://old.example.com/feed"/>
  </body>
</opml>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<opml version="2.0"><body><outline text="&lol4;" xmlUrl="https://a.example/rss"/></body></opml>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<opml version="2.0"><body><outline text="&xxe;" xmlUrl="https://a.example/rss"/></body></opml>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE opml SYSTEM "http://127.0.0.1:9/evil.dtd">
<opml version="2.0"><body><outline xmlUrl="https://a.example/rss"/></body></opml>"""


def many_outlines(count: int) -> bytes:
    rows = "".join(f'<outline xmlUrl="https://f{n}.example/rss"/>' for n in range(count))
    return f'<opml version="2.0"><body>{rows}</body></opml>'.encode()


def test_nested_outlines_are_all_read_once_in_order() -> None:
    feeds = parse_opml(NESTED)
    assert [(f.url, f.title) for f in feeds] == [
        ("https://gazette.example.com/rss", "Harbour Gazette"),
        ("https://climate.example.com/atom", "Climate Desk"),
        ("https://valley.example.net/feed.json", "Valley Notes"),
        ("ftp://old.example.com/feed", "No title attribute either"),  # refused at import
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"just some text, not XML", "not XML"),
        (b"<opml><body><outline", "not XML"),
        (b"", "not XML"),
        (b"<rss version='2.0'><channel/></rss>", "not OPML"),
        (BILLION_LAUGHS, "DTD or entities"),
        (EXTERNAL_ENTITY, "DTD or entities"),
        (EXTERNAL_DTD, "DTD or entities"),
        (b"<opml version='2.0'><body><outline text='folder'/></body></opml>", "no feeds"),
        (many_outlines(10_000), f"at most {MAX_OUTLINES:,}"),
        (b"<opml>" + b" " * (20 * 1024 * 1024) + b"</opml>", "at most 1 MB"),
    ],
)
def test_bad_files_get_one_clear_error(data: bytes, expected: str) -> None:
    with pytest.raises(OpmlError, match=expected):
        parse_opml(data)


def test_limits_are_inclusive() -> None:
    assert len(parse_opml(many_outlines(MAX_OUTLINES))) == MAX_OUTLINES
    padded = many_outlines(1)
    padded = padded.replace(b"<body>", b"<body>" + b" " * (MAX_OPML_BYTES - len(padded)))
    assert len(padded) == MAX_OPML_BYTES and len(parse_opml(padded)) == 1


def test_export_reads_back() -> None:
    groups = [
        ("#news", [("Harbour <Gazette> & Co", "https://gazette.example.com/rss?a=1&b=2")]),
        ("#général", [("Climate \"Desk\"", "https://climate.example.com/atom")]),
    ]
    data = build_opml(groups, "Précis feeds of Newsroom")
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    assert [(f.title, f.url) for f in parse_opml(data)] == [
        ("Harbour <Gazette> & Co", "https://gazette.example.com/rss?a=1&b=2"),
        ("Climate \"Desk\"", "https://climate.example.com/atom"),
    ]
    assert b'<outline text="#news" title="#news">' in data


async def test_import_is_capped_bounded_and_resumable(poller: Any, server: Any) -> None:
    """Real feeds on loopback: at most `cap` new feeds per import, `concurrency` at once;
    the same import again takes the next ones."""
    from bot.feeds.opml import OpmlFeed, import_feeds

    urls = []
    for n in range(5):
        feed = server.feed(f"/f{n}.xml")
        feed.add(2, link_base=server.url(""))
        urls.append(server.url(f"/f{n}.xml"))
    wanted = [OpmlFeed(url, f"Feed {n}") for n, url in enumerate(urls)]
    busy = most = 0
    real_add = poller.add_subscription

    async def watched(*args: Any, **kwargs: Any) -> Any:
        nonlocal busy, most
        busy += 1
        most = max(most, busy)
        try:
            await asyncio.sleep(0.05)  # let the others start, if they may
            return await real_add(*args, **kwargs)
        finally:
            busy -= 1

    poller.add_subscription = watched
    first = await import_feeds(poller, wanted, 1, 2, cap=3, concurrency=2)
    assert [title for title, _ in first.added] == ["Loopback News"] * 3
    assert first.over_cap == urls[3:] and not first.failed and not first.already
    assert most == 2
    second = await import_feeds(poller, wanted, 1, 2, cap=3, concurrency=2)
    assert len(second.added) == 2 and second.already == ["Feed 0", "Feed 1", "Feed 2"]
    assert second.over_cap == []
    subs = await poller.list_subscriptions(channel_id=2)
    assert sorted(s.feed_url for s in subs) == sorted(urls)
    # each new subscription queued only its newest item: no flood
    assert (await poller.store.delivery_counts()) == {"pending": 5}


def test_the_report_fits_one_discord_message() -> None:
    from bot.discord_adapter.notices import import_report_text
    from bot.feeds.opml import ImportReport

    report = ImportReport(
        added=[(f"Feed **{n}** @everyone", n) for n in range(40)],
        already=[f"Old {n}" for n in range(40)],
        failed=[(f"Broken {n}", "the server answered 404 Not Found " * 5) for n in range(200)],
        over_cap=[f"https://x{n}.example/rss" for n in range(30)],
    )
    text = import_report_text(report, 42, 50)
    assert len(text) <= 2000 and text.startswith("Import into <#42>: **40 added**")
    assert "200 failed, 30 over the cap" in text and "more lines" in text
    assert "@everyone" not in text.replace("@\u200beveryone", "")
    assert "\\*\\*0\\*\\*" in text  # outside names are escaped
