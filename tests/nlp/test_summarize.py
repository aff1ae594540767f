"""The summarizer on real news: every algorithm's contract, and the default's quality.

Rows come from tests/data/eval (a copy of both dev sets), so the suite needs
neither the shared data nor the network.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks._halves import split_halves
from benchmarks.quality import README_LEAD3, mean, naive_lead3, prepare, scores
from bot.ingest.text import parse_text
from bot.nlp.sentences import split_sentences
from bot.nlp.stemming import stemmer_for, stop_words_for
from bot.nlp.summarize import ALGORITHMS, DEFAULT_ALGORITHM, summarize_sentences

EVAL = Path(__file__).resolve().parent.parent / "data" / "eval"
STOCK = ("lsa", "luhn", "edmundson", "lex-rank", "text-rank", "sum-basic", "kl", "reduction",
         "random")  # fmt: skip


def _rows(name: str) -> list[dict[str, str]]:
    with (EVAL / name).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


CNNDM = _rows("cnndm.jsonl")
ORANGESUM = _rows("orangesum.jsonl")


def _sentences(row: dict[str, str]) -> list[str]:
    return split_sentences(parse_text(row["article"]).body, row["language"])


def _assert_extract(summary: list[str], sentences: list[str], count: int) -> None:
    assert len(summary) == count
    positions = [sentences.index(s) for s in summary]  # each is an exact input sentence
    assert positions == sorted(positions), "summary must keep article order"
    assert len(set(summary)) == len(summary), "no sentence twice"


def test_registry_lists_every_algorithm() -> None:
    assert set(ALGORITHMS) == {"precis", "lead", *STOCK}
    assert DEFAULT_ALGORITHM == "precis"


@pytest.mark.parametrize("algorithm", list(ALGORITHMS))
@pytest.mark.parametrize("row", [CNNDM[1], ORANGESUM[0]], ids=["en", "fr"])
def test_every_algorithm_returns_verbatim_sentences_in_order(
    algorithm: str, row: dict[str, str]
) -> None:
    sentences = _sentences(row)
    assert len(sentences) > 5
    for count in (1, 3, 5):
        summary = summarize_sentences(
            sentences, language=row["language"], count=count, algorithm=algorithm
        )
        _assert_extract(summary, sentences, count)


@pytest.mark.parametrize("algorithm", list(ALGORITHMS))
def test_title_is_used_but_never_returned(algorithm: str) -> None:
    row = CNNDM[2]
    sentences = _sentences(row)
    title = "Scientists hope honeybee brain can power flying robots"
    summary = summarize_sentences(
        sentences, language="en", count=3, algorithm=algorithm, title=title
    )
    _assert_extract(summary, sentences, 3)
    assert title not in summary


def test_lead_is_the_first_sentences() -> None:
    sentences = _sentences(CNNDM[0])
    summary = summarize_sentences(sentences, language="en", count=3, algorithm="lead")
    assert summary == sentences[:3]


@pytest.mark.parametrize("algorithm", list(ALGORITHMS))
def test_count_larger_than_the_article_returns_it_all(algorithm: str) -> None:
    sentences = _sentences(ORANGESUM[2])[:4]
    summary = summarize_sentences(sentences, language="fr", count=10, algorithm=algorithm)
    assert summary == sentences


@pytest.mark.parametrize("algorithm", list(ALGORITHMS))
def test_one_sentence_article(algorithm: str) -> None:
    sentence = _sentences(CNNDM[0])[0]
    assert summarize_sentences([sentence], language="en", count=3, algorithm=algorithm) == [
        sentence
    ]


@pytest.mark.parametrize("algorithm", list(ALGORITHMS))
def test_repeated_sentences_are_returned_once(algorithm: str) -> None:
    sentences = _sentences(CNNDM[3])[:8]
    doubled = sentences[:4] + sentences[:4] + sentences[4:]
    summary = summarize_sentences(doubled, language="en", count=3, algorithm=algorithm)
    _assert_extract(summary, sentences, 3)
    everything = summarize_sentences(doubled, language="en", count=50, algorithm=algorithm)
    assert everything == sentences


@pytest.mark.parametrize("algorithm", ["precis", "lex-rank", "lsa", "edmundson"])
def test_sentences_without_content_words(algorithm: str) -> None:
    # Only stop words and punctuation: nothing to weigh, but still an answer.
    sentences = ["It is.", "And so it was.", "But it is not!", "—", "Yes."]
    summary = summarize_sentences(sentences, language="en", count=2, algorithm=algorithm)
    _assert_extract(summary, sentences, 2)


def test_unknown_language_still_summarizes() -> None:
    sentences = _sentences(CNNDM[4])
    summary = summarize_sentences(sentences, language="xx", count=3)
    _assert_extract(summary, sentences, 3)


def test_unknown_algorithm_names_the_choices() -> None:
    with pytest.raises(ValueError) as error:
        summarize_sentences(["One.", "Two."], language="en", count=1, algorithm="bart")
    message = str(error.value)
    assert "bart" in message
    for name in ALGORITHMS:
        assert name in message


def test_count_must_be_positive() -> None:
    with pytest.raises(ValueError):
        summarize_sentences(["One.", "Two."], language="en", count=0)


def test_stemmer_and_stop_words() -> None:
    stem_fr, stem_en = stemmer_for("fr"), stemmer_for("en")
    assert stem_fr("Présidents") == stem_fr("président")
    assert stem_fr("l'homme") == stem_fr("hommes")  # elision stripped
    assert stem_en("Running") == "run"
    assert stemmer_for("xx")("ABC") == "abc"  # no Snowball: lowercase only
    assert {"the", "and"} <= stop_words_for("en")
    assert {"le", "et"} <= stop_words_for("fr")
    assert stop_words_for("xx") == frozenset()


# The default must beat Lead-3 by this much ROUGE-1, and match its ROUGE-2,
# over a whole dev set: Lead-3 as the eval README measures it (the raw text
# split naively: the targets), and the stronger Lead-3 of the same cleaned,
# split text the default reads (which holds +1.1 on OrangeSum today).
TARGETS = {"cnndm": 1.0, "orangesum": 1.5}
MARGINS = {"cnndm": 1.0, "orangesum": 1.0}


def _clean(text: str) -> tuple[str, str | None]:
    article = parse_text(text)
    return article.body, article.title


@pytest.fixture(scope="module")
def dev_sets() -> dict[str, list[tuple[list[str], list[str], str, str | None]]]:
    return {"cnndm": prepare(CNNDM, _clean), "orangesum": prepare(ORANGESUM, _clean)}


@pytest.mark.parametrize("name", ["cnndm", "orangesum"])
def test_default_beats_lead_3_on_the_whole_dev_set(
    name: str, dev_sets: dict[str, list[tuple[list[str], list[str], str, str | None]]]
) -> None:
    prepared = dev_sets[name]
    ours = mean(scores(prepared, DEFAULT_ALGORITHM)[0])
    lead = mean(scores(prepared, "lead")[0])
    assert ours["rouge1"] >= lead["rouge1"] + MARGINS[name], (ours, lead)
    assert ours["rouge2"] >= lead["rouge2"], (ours, lead)


@pytest.mark.parametrize("name", ["cnndm", "orangesum"])
def test_default_beats_lead_3_on_each_half_of_the_dev_set(
    name: str, dev_sets: dict[str, list[tuple[list[str], list[str], str, str | None]]]
) -> None:
    """A margin that holds on one half only is noise or tuning: both halves of each set
    (rows sorted by id, alternately; `benchmarks/_halves.py`) must show it."""
    prepared = dev_sets[name]
    ours, lead = scores(prepared, DEFAULT_ALGORITHM)[0], scores(prepared, "lead")[0]
    ids = [row["id"] for row in {"cnndm": CNNDM, "orangesum": ORANGESUM}[name]]
    for half in split_halves(ids):
        mine, theirs = mean([ours[i] for i in half]), mean([lead[i] for i in half])
        assert mine["rouge1"] >= theirs["rouge1"] + 0.5, (half[:3], mine, theirs)
        assert mine["rouge2"] >= theirs["rouge2"], (half[:3], mine, theirs)


@pytest.mark.parametrize("name", ["cnndm", "orangesum"])
def test_default_meets_the_targets_over_the_eval_readme_lead_3(
    name: str, dev_sets: dict[str, list[tuple[list[str], list[str], str, str | None]]]
) -> None:
    ours = mean(scores(dev_sets[name], DEFAULT_ALGORITHM)[0])
    naive = naive_lead3({"cnndm": CNNDM, "orangesum": ORANGESUM}[name])
    # The naive split reproduces the eval README's figures to 0.4 ROUGE.
    readme = README_LEAD3[name]
    assert abs(naive["rouge1"] - readme[0]) < 0.4 and abs(naive["rouge2"] - readme[1]) < 0.3
    assert ours["rouge1"] >= max(naive["rouge1"], readme[0]) + TARGETS[name], (ours, naive)
    assert ours["rouge2"] >= max(naive["rouge2"], readme[1]), (ours, naive)


@pytest.mark.parametrize("rows", [CNNDM, ORANGESUM], ids=["cnndm", "orangesum"])
def test_default_summary_is_made_of_sentences_of_the_pasted_text(
    rows: list[dict[str, str]],
) -> None:
    for row in rows:
        article = parse_text(row["article"])
        sentences = split_sentences(article.body, row["language"])
        summary = summarize_sentences(
            sentences, language=row["language"], count=3, title=article.title
        )
        assert len(summary) == min(3, len(set(sentences)))
        for sentence in summary:
            assert sentence in row["article"], (row["id"], sentence)


def test_a_summary_never_starts_inside_a_quotation_attribution() -> None:
    """Issue 12: `…!" - заявил Александр Лукашенко …` gave a sentence starting "заявил"."""
    text = (
        '«Мы никому не отдадим нашу землю!" - заявил Александр Лукашенко на встрече с '
        "военными в Минске. Президент также поручил усилить охрану границы на западе страны. "
        "Учения с участием военных продлятся неделю, сообщили в Минобороны. "
        "Лукашенко заявил, что граница будет закрыта для нарушителей."
    )
    sentences = split_sentences(text, "ru")
    chosen = summarize_sentences(sentences, language="ru", count=2)
    assert all(not sentence[0].islower() for sentence in chosen)
    assert not any(sentence.startswith(("заявил", "- заявил")) for sentence in sentences)
