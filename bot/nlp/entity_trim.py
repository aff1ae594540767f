"""Trimming a candidate span to the name it holds: the leading words that are
no part of it go (sentence-initial common words, titles and roles, months),
and a title or role among them makes the rest a person."""

from __future__ import annotations

from bot.nlp.entity_lexicon import CONNECTORS, ORG_WORDS, OTHER_WORDS, PLACE_WORDS, WEAK_TITLES
from bot.nlp.entity_tokens import fold
from bot.nlp.entity_vocabulary import Vocabulary


def trim(
    vocab: Vocabulary, words: list[str], initial: bool
) -> tuple[list[str], bool, list[tuple[str, ...]]]:
    """Drop leading words that are not the name: sentence-initial common
    words, titles and roles (which make the rest a person), months.
    "U.S. President Bill Clinton" gives "Bill Clinton" and, before it,
    the known name "U.S."."""
    titled = False
    before: list[tuple[str, ...]] = []
    rest = _after_inner_title(vocab, words, before)
    if rest is not None:
        words, titled, initial = rest, True, False
    while words:
        if (
            initial
            and len(words) > 1
            and (
                vocab.gazetteer_type(" ".join(words[:2])) is not None
                or vocab.gazetteer_type(" ".join(words[:3])) is not None
            )
        ):
            break
        if vocab.is_title(words[0]):
            titled = _drop_title(words) or titled
        elif _not_the_name(vocab, words, initial):
            words.pop(0)
        elif _nationality_first(vocab, words):
            before.append((words.pop(0),))  # "Moroccan Mohamed Benchaou"
        else:
            break
        initial = False
        while words and words[0] in CONNECTORS:
            words.pop(0)
    return words, titled, before


def _after_inner_title(
    vocab: Vocabulary, words: list[str], before: list[tuple[str, ...]]
) -> list[str] | None:
    """The words after a title inside the span, or None if there is none.
    A known name before the title ("U.S." in "U.S. President Bill Clinton")
    goes to `before`."""
    # A title inside the span: the name is what follows the last one.
    for j in range(len(words) - 2, 0, -1):
        if (
            vocab.is_title(words[j])
            and words[j].lower() not in WEAK_TITLES
            and words[j + 1][:1].isupper()
            and not vocab.is_title(words[j + 1])
        ):
            lead = words[:j]
            while lead and (vocab.is_title(lead[-1]) or lead[-1] in CONNECTORS):
                lead.pop()
            if lead and vocab.gazetteer_type(" ".join(lead)) is not None:
                before.append(tuple(lead))
            return words[j + 1 :]
    return None


def _drop_title(words: list[str]) -> bool:
    """Drop the title that opens `words`. Whether it makes the rest a person:
    a weak title ("General", "King") also opens names of other kinds."""
    titled = len(words) > 1 and words[0].lower() not in WEAK_TITLES
    words.pop(0)
    if words and words[0] in CONNECTORS:
        # "Secretary of State John Kerry": the title's object goes too.
        while words and words[0] in CONNECTORS:
            words.pop(0)
        if words:
            words.pop(0)
    return titled


def _not_the_name(vocab: Vocabulary, words: list[str], initial: bool) -> bool:
    """The first word is no part of the name: a month or a day, a common word
    opening the sentence, a one-letter stop word, or a common word before
    "of" that opens the sentence."""
    head = words[0]
    low = head.lower()
    if low in vocab.months or (initial and vocab.common_start(head)):
        return True
    first_name_next = len(words) > 1 and fold(words[1]) in vocab.gaz.first_names
    if initial and first_name_next and vocab.is_word(head):
        return True  # "Shocked Terry Cooper", but "Western Australia", "Modern Family"
    if len(head) == 1 and low in vocab.lang_stop:
        return True  # "A Santa Claus" after a quote
    # "Results of the World Cup", "Summary of Dutch ...".
    return (
        initial
        and len(words) > 2
        and words[1] == "of"
        and low not in ORG_WORDS
        and low not in PLACE_WORDS
        and low not in OTHER_WORDS
        and vocab.gazetteer_type(head) is None
        and fold(head) not in vocab.gaz.first_names
    )


def _nationality_first(vocab: Vocabulary, words: list[str]) -> bool:
    """A nationality before a first name: "Moroccan Mohamed Benchaou"."""
    return (
        len(words) > 2
        and fold(words[0]) in vocab.gaz.others
        and fold(words[1]) in vocab.gaz.first_names
    )
