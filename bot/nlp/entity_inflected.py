"""Names in a language analysed by morphology (Russian): a capitalised span
cut into the names it holds, and whether a lone word is one.

- Function words go: "В Белоруссии" -> "Белоруссии".
- A common noun before a name is its descriptor, no part of it:
  "Правительство Китая" -> "Китая", "Архитектор Ираклий Лолашвили".
- A genitive run is cut where a person's name starts after a place or a
  body, or where a place follows a person: "Украины | Петр Порошенко",
  "Кима Чен Ира | КНДР"; and where the script changes ("Lenta").
"""

from __future__ import annotations

from bot.nlp.entity_morph import ADJECTIVE, FIRST, FUNCTION, NOUN, ORG, PERSON_KINDS, PLACE
from bot.nlp.entity_vocabulary import Vocabulary


def _latin(word: str) -> bool:
    return word[:1].isascii()


def morph_parts(vocab: Vocabulary, words: list[str]) -> list[list[str]]:
    """The names a capitalised span holds."""
    kinds = [vocab.morph(w).kind for w in words]
    parts: list[list[str]] = []
    current: list[str] = []
    for i, (word, kind) in enumerate(zip(words, kinds, strict=True)):
        if kind == FUNCTION:
            parts.append(current)
            current = []
            continue
        if current:
            before = kinds[i - 1]
            if (
                (kind == FIRST and before not in PERSON_KINDS and before != FIRST)
                or (before in PERSON_KINDS and kind in (PLACE, ORG))
                or _latin(word) != _latin(words[i - 1])
            ):
                parts.append(current)
                current = []
            elif len(current) == 1 and vocab.morph(current[0]).kind == NOUN and kind != NOUN:
                current = []  # a descriptor: "Правительство Китая"
        current.append(word)
    parts.append(current)
    return [p for p in parts if p]


def morph_lone_word(vocab: Vocabulary, word: str, initial: bool) -> bool | None:
    """A name of one word: None if it is none, else whether it is weak.
    A capitalised common noun or adjective inside a sentence opens the name
    of a body ("Комитет", "Верховный суд"); opening a sentence, it is none."""
    kind = vocab.morph(word).kind
    if kind == FUNCTION or len(word) < 2:
        return None
    if kind in (NOUN, ADJECTIVE):
        return None if initial or vocab.common(word) else False
    if kind in (PLACE, FIRST, ORG) or kind in PERSON_KINDS:
        return False
    if vocab.common(word):
        return None
    return initial
