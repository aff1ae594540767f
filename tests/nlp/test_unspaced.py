"""Chinese, Japanese and Thai: written without spaces between words.

Each is a real news story (tests/data/nospace/README.md): it must be taken
for an article, counted, split into sentences and summarized like any other.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.ingest.html import extract_html
from bot.ingest.text import parse_text
from bot.nlp.coverage import _character_pairs
from bot.nlp.language import detect_language
from bot.nlp.sentences import split_sentences
from bot.nlp.tokens import count_words, sentence_tokens, words
from bot.pipeline import analyse
from bot.render import reduction_text

DATA = Path(__file__).resolve().parents[1] / "data" / "nospace"
TEXT = {
    lang: (DATA / f"{lang}.txt").read_text(encoding="utf-8").strip() for lang in ("zh", "ja", "th")
}
HAN_KANA = re.compile(r"[\u3005-\u3007\u3041-\u3096\u30a1-\u30fa\u30fc\u4e00-\u9fff]")
# The Thai paragraph's words as the UD Thai-PUD treebank segments them (no punctuation).
THAI_TREEBANK_WORDS = 135


@pytest.mark.parametrize("language", ["zh", "ja", "th"])
def test_the_language_is_recognised(language: str) -> None:
    assert detect_language(TEXT[language]) == language


@pytest.mark.parametrize("language", ["zh", "ja"])
def test_chinese_and_japanese_count_characters(language: str) -> None:
    text = TEXT[language]
    found = words(text)
    # Each Han character and kana is a word; Latin letters and digits keep their runs.
    assert len(found) == len(HAN_KANA.findall(text)) + len(re.findall(r"[A-Za-z0-9]+", text))
    assert count_words(text) == len(found) > 150
    assert words("HFCを削減する") == ["HFC", "を", "削", "減", "す", "る"]


def test_thai_counts_dictionary_words() -> None:
    found = words(TEXT["th"])
    assert abs(len(found) - THAI_TREEBANK_WORDS) / THAI_TREEBANK_WORDS < 0.1
    assert found[:7] == ["การ", "ตรวจสอบ", "ของ", "ยูเอ็น", "เกี่ยวกับ", "แผน", "ต่างๆ"]
    # The entity finder's tokens hold the same words (and the punctuation).
    tokens = sentence_tokens(TEXT["th"])
    assert [t for t in tokens if t not in (":", "%", ",", ".")] == found


@pytest.mark.parametrize(("language", "count"), [("zh", 5), ("ja", 4)])
def test_full_width_stops_end_sentences(language: str, count: int) -> None:
    sentences = split_sentences(TEXT[language], language)
    assert len(sentences) == count
    assert all(s.endswith("。") for s in sentences)
    assert "".join(sentences) == TEXT[language]


def test_a_quotation_that_the_sentence_goes_on_after_is_not_cut() -> None:
    # The PUD sentence n01002032, with the full stop Japanese often writes inside 「」.
    text = "「あまりプレッシャーをかけたくはありません。」と、彼は群集に語った。次の演説は明日だ。"
    assert split_sentences(text, "ja") == [
        "「あまりプレッシャーをかけたくはありません。」と、彼は群集に語った。",
        "次の演説は明日だ。",
    ]
    assert split_sentences("３．５％増えた。次だ。", "ja") == ["３．５％増えた。", "次だ。"]


def test_thai_sentences_end_at_spaces() -> None:
    text = TEXT["th"]
    sentences = split_sentences(text, "th")
    assert all(s in text for s in sentences)
    # Each of the five treebank sentences starts a sentence here.
    for original in ("การตรวจสอบของ", "นักวิทยาศาสตร์", "เรากำลังเดิน", "การลงทุนในส่วน", "วิเศษมากที่"):
        assert any(s.startswith(original) for s in sentences), original
    assert all(len(words(s)) >= 6 for s in sentences)


@pytest.mark.parametrize(
    ("language", "unit"), [("zh", "characters"), ("ja", "characters"), ("th", "words")]
)
def test_an_unspaced_article_is_summarized(language: str, unit: str) -> None:
    text = TEXT[language]
    summary = analyse(parse_text(text))
    assert summary.language == language
    assert len(summary.summary) == 3
    assert all(sentence in text for sentence in summary.summary)
    assert summary.stats.words == count_words(text)
    assert reduction_text(summary).startswith(f"{summary.stats.words:,} {unit} → ")
    # Entities: none from the unspaced script (it has no capitals to go by), and
    # never a Latin word glued to the characters after it ("HFCを削減する…").
    for entity in summary.entities:
        assert entity.text in text
        assert not HAN_KANA.search(entity.text) and not re.search("[\u0e01-\u0e4e]", entity.text)


def test_a_chinese_page_is_an_article() -> None:
    # Fewer than 12 space-separated "words": rejected before.
    html = (
        '<html lang="zh-Hant"><head><title>聯合國：減碳計劃遠未達標</title></head><body>'
        f"<article><h1>聯合國：減碳計劃遠未達標</h1><p>{TEXT['zh']}</p></article></body></html>"
    )
    article = extract_html(html)
    assert article.body.strip() == TEXT["zh"]
    assert len(article.body.split()) < 12


def test_neighbouring_characters_make_concepts() -> None:
    assert _character_pairs(words("聯合國說，巴黎協定")) == [
        "聯合",
        "合國",
        "國說",
        "說巴",
        "巴黎",
        "黎協",
        "協定",
    ]
    assert _character_pairs(["Paris", "a", "b"]) == []
