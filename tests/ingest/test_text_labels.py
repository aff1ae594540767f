"""Furniture glued to real sentences: credits and box labels cut off, the sentence kept.

The snippets are those the issue quotes (held-out news in Spanish, Portuguese,
Russian and German), each with the rest of its paragraph.
"""

from __future__ import annotations

import pytest

from bot.ingest.text import parse_text
from bot.ingest.text_labels import leading_label
from bot.nlp.sentences import split_sentences

CASES = [
    (
        "es",
        "FOTO: REUTERS | VÍDEO: EPV Los 27 menores que llegaron ayer a la costa de Almería "
        "fueron trasladados a un centro de acogida, según informó la Delegación del Gobierno.",
        "Los 27 menores que llegaron",
    ),
    (
        "pt",
        "| Foto: Martin Bernetti/AFP Manifestantes voltaram às ruas de Santiago nesta "
        "segunda-feira para protestar contra o governo.",
        "Manifestantes voltaram",
    ),
    (
        "ru",
        "ЦИТАТА ДНЯ Андрей ВОРОБЬЕВ: «Мы построим в области двадцать новых школ уже в этом году».",
        "Андрей ВОРОБЬЕВ: «Мы построим",
    ),
    (
        "ru",
        "СПРАВКА «МК» 25 апреля в Москве прошел парад ретроавтомобилей, в нем приняли "
        "участие более ста машин.",
        "25 апреля в Москве",
    ),
]


@pytest.mark.parametrize(("language", "paragraph", "sentence_start"), CASES)
def test_a_glued_credit_or_label_is_cut_and_the_sentence_kept(
    language: str, paragraph: str, sentence_start: str
) -> None:
    text = f"Titular de la noticia\n\n{paragraph} Una segunda frase sigue aquí.\n"
    body = parse_text(text).body
    first = split_sentences(body, language)[0]
    assert first.startswith(sentence_start)
    assert paragraph.endswith(first)  # verbatim: only the prefix went


@pytest.mark.parametrize(
    "line",
    [
        "NASA said on Monday that the launch would be delayed by a week.",
        "The UN SECURITY COUNCIL met on Monday.",
        "EU leaders met in Brussels on Thursday to discuss the budget.",
        "FOTO: REUTERS",  # a credit alone: nothing to keep
        "BREAKING NEWS Trump",  # no sentence after the label
        "Foto: el presidente en Madrid.",
    ],
)
def test_a_sentence_is_not_taken_for_a_label(line: str) -> None:
    assert leading_label(line) == 0


def test_a_wiki_heading_is_never_a_sentence() -> None:
    text = (
        "Pflanzenöle\n\n"
        "Pflanzenöle werden aus Samen und Früchten gewonnen. Sie bestehen vor allem aus Fetten.\n\n"
        "== Gruppen von Ölen\n\n"
        "Man unterscheidet trocknende, halbtrocknende und nichttrocknende Öle. "
        "Leinöl ist ein trocknendes Öl.\n"
    )
    body = parse_text(text).body
    assert "==" not in body
    assert "Gruppen von Ölen" not in split_sentences(body, "de")
