"""A whole page pasted as text: only the article's sentences reach the summary."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from bot.ingest.text import parse_text
from bot.ingest.text_captions import drop_captions_above_credits
from bot.ingest.text_line import Line
from bot.ingest.text_page import (
    BAD,
    GOOD,
    _classify,
    drop_author_box,
    drop_page_furniture,
    headline_with_teaser,
    looks_like_page,
)
from bot.ingest.text_stoplists import stop_words
from bot.pipeline import FileSource, Options, summarize_local

DATA = Path(__file__).resolve().parents[1] / "data"
PASTED = DATA / "pasted"
ROWS = [json.loads(line) for line in (PASTED / "truth.jsonl").read_text("utf-8").splitlines()]


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _from_body(sentence: str, body: str) -> bool:
    """At least 80 % of the sentence's word trigrams are in the true body."""
    words, truth = _words(sentence), _words(body)
    grams = {tuple(truth[i : i + 3]) for i in range(len(truth) - 2)}
    mine = [tuple(words[i : i + 3]) for i in range(len(words) - 2)]
    return sum(gram in grams for gram in mine) >= 0.8 * len(mine) > 0


@pytest.mark.parametrize("row", ROWS, ids=[row["id"] for row in ROWS])
def test_a_pasted_page_is_summarized_from_its_article_only(row: dict[str, str]) -> None:
    text = (PASTED / f"{row['id']}.txt").read_text("utf-8")
    source = FileSource(text.encode("utf-8"), name="message.txt", content_type="text/plain")
    _, summary = summarize_local(source, Options(sentences=5))
    assert len(summary.summary) == 5
    for sentence in summary.summary:
        assert _from_body(sentence, row["body"]), sentence


@pytest.mark.parametrize("row", ROWS, ids=[row["id"] for row in ROWS])
def test_the_page_furniture_is_not_in_the_body(row: dict[str, str]) -> None:
    text = (PASTED / f"{row['id']}.txt").read_text("utf-8")
    body = parse_text(text).body
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    # Every line kept is prose: no menu item, bullet, or unpunctuated label.
    assert lines
    for line in lines:
        assert not re.match(r"[+*•o-] ", line), line
        assert re.search(r"[.!?…:\"”’)](?: [A-Z]{2,5})?$", line), line  # "… the US. PTI"
    # Most of the true body is there (its copyright line aside: the cleaner drops those).
    paragraphs = [line for line in row["body"].splitlines() if not line.startswith("©")]
    kept, truth = set(_words(body)), _words("\n".join(paragraphs))
    assert sum(word in kept for word in truth) >= 0.9 * len(truth)


def test_the_page_menus_and_notices_are_gone() -> None:
    text = (PASTED / "c7e39ac4.txt").read_text("utf-8")  # a BBC News page
    assert "Accessibility links" in text and "BBC Account" in text
    body = parse_text(text).body
    for furniture in ("Accessibility links", "BBC Account", "Skip to content", "Share this"):
        assert furniture not in body


def test_an_article_pasted_alone_is_not_a_page() -> None:
    article = (DATA / "text" / "en_reuters_style.txt").read_text("utf-8")
    lines = [Line(text, index) for index, text in enumerate(article.splitlines()) if text]
    assert not looks_like_page(lines)
    seed = next((DATA.parent.parent / "seeds").glob("000_*.txt")).read_text("utf-8")
    assert not looks_like_page([Line(t, i) for i, t in enumerate(seed.splitlines()) if t])


def test_a_menu_glued_into_one_line_is_dropped() -> None:
    menu = "+ New Macs + iPads + Apple Watch + Apple TV + AirPods + Accessories"
    text = (
        "Apple unveils new MacBook Pro\n\n"
        f"{menu}\n\n"
        "Apple on Wednesday unveiled a new 16-inch MacBook Pro with a redesigned keyboard, "
        "replacing the butterfly mechanism that drew complaints for years. The laptop goes "
        "on sale this week, the company said in a statement."
    )
    article = parse_text(text)
    assert menu not in article.body
    assert article.body.startswith("Apple on Wednesday unveiled")


@pytest.mark.parametrize(
    "line",
    [  # lines of real pages (shared/eval/extraction) that are not the article's prose
        "Skip to main content",
        "+ Exclusives",
        "By Kashmira Gander On 11/13/19 at 4:00 PM EST",
        "Home | News | Sport | Weather",
        "月別 月を選択 2019年11月 2019年4月 2019年1月 2018年8月 2018年5月 2017年12月 2017年8月 "
        "2017年4月 2017年3月 2017年2月 2017年1月 2016年12月 2016年11月 2016年10月 2016年9月 "
        "2016年8月 2016年7月 2016年6月 2016年5月 2016年4月 2016年3月 2016年2月",
        "This website uses cookies to improve your experience while you navigate through the "
        "website. Out of these cookies, the cookies that are categorized as necessary are stored "
        "on your browser as they are essential for the working of basic functionalities of the "
        "website. We also use third-party cookies that help us analyze and understand how you "
        "use this website.",
    ],
)
def test_furniture_lines_are_not_prose(line: str) -> None:
    assert _classify(line, stop_words("en")) == BAD


def test_prose_is_prose() -> None:
    line = (
        "Prosecutors in Sweden have dropped an investigation into a rape allegation made "
        "against Wikileaks co-founder Julian Assange in 2010."
    )
    assert _classify(line, stop_words("en")) == GOOD


def test_a_page_without_prose_is_kept_rather_than_emptied() -> None:
    # A results page: every line a score, no sentence of prose.
    scores = [f"Team {n} ({n}-1): Player {n} scored {n + 3} points." for n in range(30)]
    lines = [Line(text, index) for index, text in enumerate(["Results", "+ Home", *scores])]
    lines += [Line(f"+ Menu {n}", 40 + n) for n in range(30)]
    assert looks_like_page(lines)
    drop_page_furniture(lines, "en")
    assert all(line.kind is None for line in lines)


def test_the_standfirst_and_caption_above_the_byline_are_not_the_article() -> None:
    # An NBC News page: headline, standfirst, photo caption, date, byline, then the article.
    text = (PASTED / "5a822960.txt").read_text("utf-8")
    assert "The government's move aims to prevent building" in text
    article = parse_text(text)
    assert article.title == "House Hitler was born in will become a police station, Austria says"
    assert article.body.startswith("VIENNA — The house where Adolf Hitler was born")
    assert "The government's move aims" not in article.body
    assert "Leonhard Foeger / Reuters file" not in article.body


def test_a_page_of_many_short_lines_is_judged_in_linear_time() -> None:
    # Each short line looks for its nearest sure neighbours: two passes, not a search each.
    lines = [Line(f"Short line number {n}." if n % 2 else f"+ Item {n}", n) for n in range(60_000)]
    started = time.perf_counter()
    drop_page_furniture(lines, "en")
    assert time.perf_counter() - started < 5  # 0.4 s here; a search per line is quadratic


def test_a_drop_cap_copied_apart_is_joined_back_to_its_word() -> None:
    # The Guardian, 18 Nov 2019: the editorial's drop cap copies as "H ong Kong".
    text = (
        "The Guardian view on Hong Kong: a city on the brink\n\n"
        "H ong Kong is burning. The authorities continue to pour fuel on the fire. On Monday,"
        " the People’s Daily, the mouthpiece of the Communist party, warned that there is"
        " “absolutely no room for compromise”.\n\n"
        "As the newspaper commentary was published, Hong Kong Polytechnic University was"
        " besieged by police, who fired round after round of teargas at protesters attempting"
        " to flee the scene.\n"
    )
    assert parse_text(text).body.startswith("Hong Kong is burning. The authorities")


@pytest.mark.parametrize(
    "first",
    [
        "A new plan was unveiled on Monday by the ministry, officials said.",  # "A" is a word
        "I met him on Monday in the ministry, and he told me about the plan.",
    ],
)
def test_a_one_letter_word_is_not_a_drop_cap(first: str) -> None:
    rest = "The government has unveiled a plan to help the industry reduce its costs by 2030."
    assert parse_text(f"{first}\n\n{rest}\n").body.startswith(first)


def test_a_one_letter_word_is_not_a_drop_cap_in_spanish() -> None:
    first = "Y el ministro dijo el lunes que el plan costará mucho menos de lo previsto."
    rest = "El Gobierno ha presentado un plan para ayudar a la industria a reducir sus costes."
    assert parse_text(f"{first}\n\n{rest}\n").body.startswith(first)


def test_the_caption_above_a_credit_line_is_not_the_article() -> None:
    # pv magazine, 20 Nov 2019, pasted whole: its menu, the headline, the standfirst, the
    # date and byline, the photo's caption and credit, then the article.
    menu = (
        "Commercial & industrial PV|Grids & integration|Residential PV|Utility-scale PV"
        "|Balance of systems|Modules & upstream manufacturing|Finance|Markets|Policy"
        "|Opinion & analysis|Guidelines|Webinars|Storage Session @ ESNA|Quality Roundtables"
        "|Future PV Roundtables|pv magazine live|Event calendar|Galleries|Event partners"
        "|Videos|pv magazine Awards|Soiling and solar|Energy Storage Highlights 2019"
    )
    text = (
        "Skip to content\n\n"
        + "".join(f"  o {item}\n" for item in menu.split("|"))
        + "\nSouth Korea’s roadmap to drive down solar costs\n\n"
        "The government has unveiled a plan to help the PV industry reduce the cost of solar"
        " panels from around $0.23/W to $0.10/W by 2030.\n\n"
        "November 20, 2019 Emiliano Bellini\n  * Markets\n  * Policy\n  * South Korea\n\n"
        "Hanwha Q Cells was reportedly South Korea’s largest cell maker at the end of 2017,"
        " with 3.7 GW of annual production capacity.\n\n"
        "Image: Hanwha Q cells\n\n  Share\n\n"
        "South Korea’s Ministry of Trade, Industry and Energy (MOTIE) has unveiled a plan to"
        " help the PV industry further reduce the costs of solar module technology and to"
        " increase product efficiency.\n\n"
        "The initiative is part of the Fourth Energy Technology Development Plan and Roadmap,"
        " submitted to Korean renewable energy industry representatives this week. The plan"
        " includes actions to raise electromobility rates, reduce coal-fired fine dusts by 90%,"
        " improve nuclear safety and increase the scale of wind power projects, among other"
        " measures.\n"
    )
    article = parse_text(text)
    assert article.body.startswith("South Korea’s Ministry of Trade")
    assert "Hanwha Q Cells was reportedly" not in article.body


def test_a_comment_thread_after_the_article_is_not_the_article() -> None:
    # A blog page (its menu, the end of the article, the author's box, then comments,
    # each under a dated line): the dates the cleaner drops still weigh as furniture,
    # so the comments, prose between dates, are not taken with the article.
    article = parse_text((PASTED / "c582d3b7.txt").read_text("utf-8"))
    assert "In the GROW stage, you’ve hit on a product or service" in article.body
    assert article.body.endswith("How to Adopt an Online Leader Success Mindset.")
    for comment in ("Thanks so much for stopping by", "I am a guy in his mid-70’s", "Jan."):
        assert comment not in article.body


_EPA_END = (
    'Die Auswahl der "richtigen" Lösung ist damit entscheidend für den Einstieg in die'
    " digitale Patientenakte und für nachhaltige Kostenersparnisse im Gesundheitssektor."
)
_EPA_AUTHOR = (
    "Als Inbound Sales Manager bildet Moritz Bachmann die Schnittstelle zwischen dem"
    " internen Online-Marketing und dem Bereich Sales bei comwrap."
)


def test_the_authors_box_at_the_end_of_a_page_is_not_the_article() -> None:
    # comwrap's blog, 25 Sep 2018: the article's last paragraph, then the author's box.
    lines = [
        Line("Von Moritz Bachmann publiziert am 25. September 2018", 0, "page"),
        Line(_EPA_END, 1),
        Line("Über Moritz Bachmann", 2, "page"),
        Line(_EPA_AUTHOR, 3),
    ]
    drop_author_box(lines)
    assert [line.kind for line in lines] == ["page", None, "page", "author"]


@pytest.mark.parametrize(
    "heading",
    [
        "Was bedeutet das für Patienten",  # a subheading, no name
        "Über Anna Schmidt",  # a name the paragraph does not open with
        "Über Moritz Bachmann.",  # a sentence, not a heading
    ],
)
def test_a_last_paragraph_under_another_heading_stays(heading: str) -> None:
    byline = Line("Von Moritz Bachmann publiziert am 25. September 2018", 0, "page")
    lines = [byline, Line(_EPA_END, 1), Line(heading, 2, "page"), Line(_EPA_AUTHOR, 3)]
    drop_author_box(lines)
    assert lines[3].kind is None


def test_a_name_that_is_not_the_bylines_stays() -> None:
    # A profile's last section, under the name of someone other than the author.
    byline = Line("Von Anna Schmidt publiziert am 25. September 2018", 0, "page")
    lines = [byline, Line(_EPA_END, 1), Line("Über Moritz Bachmann", 2, "page")]
    lines.append(Line(_EPA_AUTHOR, 3))
    drop_author_box(lines)
    assert lines[3].kind is None


def test_a_gallery_caption_copied_twice_above_its_credit_goes_with_it() -> None:
    # Houston Chronicle, 20 Nov 2019: the AP story's end, then a gallery whose caption is
    # copied twice (once as a list item) above its credit.
    caption = (
        "Los Angeles Lakers' LeBron James dunks during the first half of the team's NBA"
        " basketball game against the Oklahoma City Thunder on Tuesday, Nov. 19, 2019, in"
        " Los Angeles."
    )
    quote = (
        "“Coach (Frank) Vogel came in here and said, 'Congratulations,' and I thought he was"
        " joking about my seven turnovers,” James said."
    )
    lines = [
        Line(quote, 0),
        Line(f"* {caption}", 1),
        Line(caption, 1),
        Line("Photo: Ringo H.W. Chiu, AP", 1, "caption"),
    ]
    drop_captions_above_credits(lines)
    assert [line.kind for line in lines] == [None, "caption", "caption", "caption"]


@pytest.mark.parametrize(
    "line",
    [
        # Related stories' links, each copied as one line (detroit.cbslocal.com, indiapost.com).
        "Auto Union Opens Talks With Fiat Chrysler; Strike PossibleThe United Auto Workers"
        " union on Monday turned its bargaining focus to Fiat Chrysler.",
        "Is Violence In Sports On The Rise?Violence is part of the game in many sports but Myles"
        " Garrett crossed a line that attracts the attention of authorities.",
        "There's No Place Like A Michigan Cider Mill. Here's A Look At Some Metro-Detroit"
        " FavoritesFall has officially arrived. That means it's getting a little colder.",
        "Find Burgers & More at Downtown's New Frita BatidosA new Cuban spot, offering burgers and"
        " more, has opened its doors in the neighborhood.",
        "* With shattered dreams, deportees return home from US NEW DELHI: Their American dream"
        " shattered and huge savings wasted, nearly 150 Indians returned home broke on Wednesday.",
    ],
)
def test_a_headline_glued_to_its_teaser_is_a_related_link(line: str) -> None:
    assert headline_with_teaser(line)


@pytest.mark.parametrize(
    "line",
    [
        "Hong Kong (CNN Business)A muddled view of US-China trade talks once again seems to be"
        " weighing on investors.",
        "Senator John McCain said on Tuesday that the committee would meet again next week.",
        "Even with Apple’s AirPower project canceled, wireless charging moved forward this year.",
        "Since the AirPods first launched in 2016, users and critics alike have been asking for"
        " noise cancellation.",
        "NEW DELHI: Their American dream shattered and huge savings wasted, nearly 150 Indians"
        " returned home broke on Wednesday.",
    ],
)
def test_a_sentence_of_the_article_is_not_a_teaser(line: str) -> None:
    assert not headline_with_teaser(line)
