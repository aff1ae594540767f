from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import Stemmer

from bot.errors import LanguageError
from bot.nlp.language import detect_language, snowball_name

DATA = Path(__file__).resolve().parents[1] / "data" / "text"


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def test_seed_article_is_french() -> None:
    text = (DATA / "fr_presstv_seed.txt").read_text(encoding="utf-8")
    # The page carries an English caption; the article is still French.
    assert detect_language(text) == "fr"


@pytest.mark.parametrize("row", _rows("cnndm_sample.jsonl"), ids=lambda row: row["id"][:8])
def test_cnndm_rows_are_english(row: dict[str, str]) -> None:
    assert detect_language(row["article"]) == "en"


@pytest.mark.parametrize("row", _rows("orangesum_sample.jsonl"), ids=lambda row: row["id"])
def test_orangesum_rows_are_french(row: dict[str, str]) -> None:
    assert detect_language(row["article"]) == "fr"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Der Bundestag hat am Donnerstag eine Erhöhung des Mindestlohns beschlossen. "
            "Gewerkschaften hatten eine stärkere Anhebung gefordert.",
            "de",
        ),
        (
            "El Consejo de Ministros aprobó este martes un paquete de ayudas para los "
            "agricultores afectados por la sequía.",
            "es",
        ),
        ("Le gouvernement a présenté mercredi son projet de budget pour l'année prochaine.", "fr"),
    ],
)
def test_short_paragraphs(text: str, expected: str) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize("text", ["12345 !!! ---", "", "   ", "2024-01-25 10:42 +++ ### 3.5 %"])
def test_no_readable_text_raises(text: str) -> None:
    with pytest.raises(LanguageError, match="readable words"):
        detect_language(text)


def test_hint_settles_an_unclear_text() -> None:
    assert detect_language("Hello", hint="en-US") == "en"
    assert detect_language("Hello", hint="de") == "de"


def test_hint_does_not_override_a_clear_answer() -> None:
    text = (DATA / "fr_presstv_seed.txt").read_text(encoding="utf-8")
    assert detect_language(text, hint="en") == "fr"
    assert detect_language(text, hint="not a language tag") == "fr"


def test_long_text_is_judged_beyond_its_opening() -> None:
    # A long English opening does not decide for a French article.
    french = _rows("orangesum_sample.jsonl")[0]["article"]
    opening = "Photo caption in English about soldiers standing near a building. " * 4
    assert detect_language(opening + french + " " + french) == "fr"


@pytest.mark.parametrize(
    ("code", "name"),
    [("fr", "french"), ("en", "english"), ("de", "german"), ("es", "spanish"),
     ("pt-BR", "portuguese"), ("NB", "norwegian"), ("ru", "russian")],
)  # fmt: skip
def test_snowball_names(code: str, name: str) -> None:
    assert snowball_name(code) == name


def test_every_pystemmer_algorithm_is_reachable() -> None:
    reachable = {
        snowball_name(code)
        for code in re.findall(
            r"\w+",
            "ar hy eu ca cs da nl en eo et fi fr de el hi hu id ga it lt ne no fa pl pt ro "
            "ru sr st es sv ta tr yi",
        )
    }
    wanted = set(Stemmer.algorithms()) - {"porter", "dutch_porter"}
    assert wanted <= reachable
    for name in reachable:
        assert name is not None
        Stemmer.Stemmer(name)  # a name PyStemmer accepts


@pytest.mark.parametrize("code", ["xx", "zh", "ja", "", "zxx"])
def test_snowball_name_is_none_without_a_stemmer(code: str) -> None:
    assert snowball_name(code) is None


FIRST_CALLS_AT_ONCE = """
import threading
from bot.nlp.language import detect_language

texts = ["The minister said the talks would resume in Geneva next week.",
         "Le ministre a déclaré que les discussions reprendraient à Genève."] * 4
start = threading.Barrier(len(texts))
answers, errors = [], []

def work(text):
    start.wait()
    try:
        answers.append(detect_language(text))
    except Exception as exc:
        errors.append(repr(exc))

threads = [threading.Thread(target=work, args=(t,)) for t in texts]
for t in threads:
    t.start()
for t in threads:
    t.join()
assert not errors, errors
print(sorted(answers))
"""


def test_threads_asking_for_the_first_time_at_once_all_get_an_answer() -> None:
    """The bot's worker threads may all meet the model before it is loaded: one
    loads it, the others wait and use it (a fresh process, so nothing is loaded)."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    done = subprocess.run([sys.executable, "-c", FIRST_CALLS_AT_ONCE], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["['en',", "'en',", "'en',", "'en',", "'fr',", "'fr',",
                                   "'fr',", "'fr']"]  # fmt: skip
