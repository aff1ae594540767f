"""The ranking's view of a sentence: how much it reads like news prose."""

from __future__ import annotations

import pytest

from bot.nlp.summarize import _precis_for

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
