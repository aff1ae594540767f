"""The ranking's view of a sentence: how much it reads like news prose."""

from __future__ import annotations

import json

import pytest

from bot.ingest.text import parse_text
from bot.nlp.summarize import _precis_for
from bot.pipeline import analyse
from tests.conftest import DATA

PROSE = "Crystal Palace's entire starting XI cost just £17million, less than one City player."


@pytest.mark.parametrize(
    "furniture",
    [
        "CLICK HERE for all the latest Manchester United news",  # from the CNN/DM dev set
        "For Richie Benaud tributes as cricket world mourns, click here.",
        "Pour revoir le match et tous les buts de la soirée, Cliquez ici.",
    ],
)
def test_link_texts_anywhere_mark_page_furniture(furniture: str) -> None:
    ranker = _precis_for("en")._ranker
    prose = ranker.quality(PROSE, 15)
    assert ranker.quality(furniture, 15) == pytest.approx(prose * ranker.weights.residue)


@pytest.mark.parametrize(
    "text",
    [
        "Fans who click heretical links lose their data, the police said in a statement.",
        "The gallery's clicker app, where visitors click to vote, logged 3,000 votes.",
    ],
)
def test_words_that_merely_contain_the_phrase_are_prose(text: str) -> None:
    ranker = _precis_for("en")._ranker
    assert ranker.quality(text, 15) == ranker.quality(PROSE, 15)


@pytest.mark.parametrize(
    "texts",
    [
        # a heading, a menu and a byline have no closing punctuation
        ["Taliban say they freed US, Australian hostages", PROSE, PROSE + " Again."],
        ["+ New Macs + iPads + Apple Watch", PROSE, PROSE + " Again."],
        # the tail of a quotation's attribution, in an article written in capitals
        ["заявил Александр Лукашенко на встрече с военными.", PROSE, PROSE + " Again."],
        # a time stamp, a name alone, a heading in Title Case: no word in lowercase
        ["06:58 EST, 26 September 2013 .", PROSE, PROSE + " Again."],
        ["Jean-René Etchegaray.", PROSE, PROSE + " Again."],
        ["Claire Danes Pulls Hair Fake-Out At The Emmys.", PROSE, PROSE + " Again."],
    ],
)
def test_what_is_not_a_sentence_is_never_preferred(texts: list[str]) -> None:
    ranker = _precis_for("en")._ranker
    bias = ranker._bias(texts, [t.split() for t in texts])
    assert bias[0] == 0.0 < bias[1]


def test_an_article_written_in_lowercase_keeps_its_sentences() -> None:
    ranker = _precis_for("en")._ranker
    texts = ["the council met on monday.", "the mayor said the works would start soon."]
    assert all(value > 0 for value in ranker._bias(texts, [t.split() for t in texts]))


def test_a_sentence_of_a_script_without_case_is_a_sentence() -> None:
    ranker = _precis_for("en")._ranker
    texts = [PROSE, "北京今天下雨了。", "The council met on Monday. " + PROSE, "2-1."]
    assert all(value > 0 for value in ranker._bias(texts, [t.split() for t in texts]))


def test_a_daily_mail_time_stamp_is_never_a_summary_sentence() -> None:
    # CNN/DM's Daily Mail articles open "By . Katy Winter . PUBLISHED: . 06:58 EST, 26
    # September 2013 . | . UPDATED: . …": the stamp was a summary sentence of 26 of the
    # 201 Daily Mail articles of our train sample, and is of none now.
    for line in (DATA / "ranking" / "dm_stamped.jsonl").read_text(encoding="utf-8").splitlines():
        summary = analyse(parse_text(json.loads(line)["article"]))
        assert len(summary.summary) == 3
        assert not any("EST" in sentence for sentence in summary.summary), summary.summary


def test_a_sentence_that_starts_with_a_number_is_a_sentence() -> None:
    ranker = _precis_for("fr")._ranker
    texts = ["181 personnes doivent recouvrer leur liberté ce vendredi 14 février.", PROSE]
    assert all(value > 0 for value in ranker._bias(texts, [t.split() for t in texts]))
