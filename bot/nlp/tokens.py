"""Word tokens, shared by the summarizer, the entity finder and the statistics.

A word is a run of Unicode letters or digits, with inner apostrophes and
hyphens kept ("aujourd'hui", "anti-américains"); elided articles such as
"l'" and "d'" stay attached, which the stemmer and stop words handle.

The entity finder reads tokens: the words and each punctuation mark, except
that dotted acronyms ("U.S.", "EE. UU.") are one token.

Chinese and Japanese are written without spaces: each Han character, kana
or kanji is a word of its own here (their texts are measured in characters,
and the summarizer pairs neighbouring characters into concepts). Thai is
written without spaces between words too: a run of Thai letters is cut into
words by `bot.nlp.thai` (dictionary maximal matching).
"""

from __future__ import annotations

import re

from bot.nlp import thai

# Han (with the iteration marks 々 〆 〇), hiragana, katakana (full and half width);
# not the katakana middle dot ・ nor the sound marks ゛ ゜, which are punctuation.
_CJK = (
    "\u3005-\u3007\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f"
)
# Thai letters with their vowel signs and tone marks (which are not `\w`).
_THAI = "\u0e01-\u0e4e"
_LETTER = rf"[^\W{_CJK}{_THAI}]"  # a word character of a script written with spaces
_WORD = re.compile(
    rf"[{_CJK}]|[{_THAI}]+|{_LETTER}+(?:[’'\-]{_LETTER}+)*",
    re.UNICODE,
)
_TOKEN = re.compile(
    r"EE\.\s?UU\.?"  # Spanish "EE. UU." (United States)
    r"|[^\W\d_]\.(?:[^\W\d_]\.)+"  # dotted acronyms: U.S., D.C., H.R.
    rf"|[{_CJK}]|[{_THAI}]+|{_LETTER}+(?:[’'\-]{_LETTER}+)*"  # words (`_WORD`)
    r"|[^\w\s]",
    re.UNICODE,
)
_HAS_THAI = re.compile(f"[{_THAI}]")
# Languages whose words are counted a character at a time.
UNSPACED_CHARACTERS = frozenset({"zh", "ja"})


def _split_thai(found: list[str]) -> list[str]:
    """`found` with each run of Thai letters cut into its words."""
    out: list[str] = []
    for token in found:
        if "\u0e01" <= token[0] <= "\u0e4e":
            out.extend(thai.segment(token))
        else:
            out.append(token)
    return out


def words(text: str) -> list[str]:
    """The words of `text`, in order, as they appear (no case folding)."""
    found: list[str] = _WORD.findall(text)
    if _HAS_THAI.search(text) is not None:
        return _split_thai(found)
    return found


def count_words(text: str) -> int:
    # findall builds the list in C; counting match objects one by one in
    # Python costs a fifth more.
    return len(words(text))


# The pipeline asks for the words and tokens of the same sentences several
# times (the summarizer, the entity finder, the statistics, the summary's own
# statistics), and scanning text is the costliest regex work of the engine,
# so each sentence is scanned once, for its tokens, and its words are read
# off them. Bounded so a stream of articles cannot grow memory without limit;
# tuples, so no caller can change what another one gets.
_MEMO_LIMIT = 4096
_SENTENCE_TOKENS: dict[str, tuple[str, ...]] = {}
_SENTENCE_WORDS: dict[str, tuple[str, ...]] = {}


def sentence_tokens(sentence: str) -> tuple[str, ...]:
    """The tokens of a sentence (words, acronyms and punctuation marks), remembered."""
    found = _SENTENCE_TOKENS.get(sentence)
    if found is None:
        raw: list[str] = _TOKEN.findall(sentence)
        if _HAS_THAI.search(sentence) is not None:
            raw = _split_thai(raw)
        found = tuple(raw)
        if len(_SENTENCE_TOKENS) >= _MEMO_LIMIT:
            _SENTENCE_TOKENS.clear()
        _SENTENCE_TOKENS[sentence] = found
    return found


def sentence_words(sentence: str) -> tuple[str, ...]:
    """`words(sentence)`, remembered."""
    found = _SENTENCE_WORDS.get(sentence)
    if found is None:
        found = _words_of_tokens(sentence_tokens(sentence))
        if len(_SENTENCE_WORDS) >= _MEMO_LIMIT:
            _SENTENCE_WORDS.clear()
        _SENTENCE_WORDS[sentence] = found
    return found


def _words_of_tokens(found: tuple[str, ...]) -> tuple[str, ...]:
    """The words among a text's tokens, as `words(text)` finds them: a token
    that starts with a word character is a word, except that a dotted
    acronym ("U.S.", "EE. UU.") is one word per letter group; a punctuation
    mark is none. (Every token starts where `_WORD` would start a match, and
    a word token ends where `_WORD`'s would: the branch is the same.)"""
    out: list[str] = []
    for token in found:
        first = token[0]
        if not (first.isalnum() or first == "_" or "\u0e01" <= first <= "\u0e4e"):
            continue
        if "." in token:
            out.extend(_WORD.findall(token))
        else:
            out.append(token)
    return tuple(out)


def forget_sentences() -> None:
    """Drop the remembered sentences (benchmarks time a repeated article as new)."""
    _SENTENCE_TOKENS.clear()
    _SENTENCE_WORDS.clear()
