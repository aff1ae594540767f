"""Credits and box labels glued in front of a paragraph's first sentence.

A photo or video credit ("FOTO: REUTERS | VÍDEO: EPV Los 27 menores…",
"| Foto: Martin Bernetti/AFP Manifestantes…") or the all-caps label of a box
("ЦИТАТА ДНЯ Андрей ВОРОБЬЕВ: «…»", "СПРАВКА «МК» 25 апреля…") often reaches
the text glued to the sentence after it. Dropping the line would lose the
sentence; keeping it makes the label part of the sentence. The prefix is cut
off and the sentence kept verbatim, and only when a sentence follows it.
"""

from __future__ import annotations

import re

from bot.ingest.text_line import count_words_upto

_UP = "A-ZÀ-ÖØ-ÞĀ-ŽА-ЯЁΑ-Ω"
_LO = "a-zß-öø-ÿа-яёα-ω"
_CAPS_WORD = rf"[{_UP}][{_UP}.&'’\-]+"
# A credit: names ending in "Name/AGENCY" ("Martin Bernetti/AFP"), or capitals ("REUTERS").
_CREDIT = (
    rf"(?:(?:[{_UP}][\w'’.\-]*\s+){{0,4}}[\w'’.\-]+/[\w'’.\-]+"
    rf"|{_CAPS_WORD}(?:\s{_CAPS_WORD}){{0,2}})"
)
_MEDIA = (
    r"(?i:fotos?|fotograf[íi]as?|photos?|v[íi]deos?|im[áa]genes|imagen|image|bild|bilder"
    r"|cr[ée]ditos?|cr[ée]dits?|credits?|infograf[íi]a|ilustraci[óo]n|illustration)"
)
_CREDIT_PREFIX = re.compile(
    rf"^(?:\|\s*)?(?:{_MEDIA}\s*:\s*{_CREDIT}\s*(?:\|\s*)?)+(?=[\"«“„]?[{_UP}0-9])"
)
# An all-caps label of two words or more ("ЦИТАТА ДНЯ", "СПРАВКА «МК»"), then a
# capitalised word or a number.
_LABEL_TOKEN = rf"(?:{_CAPS_WORD}|«{_CAPS_WORD}»)"
_BOX_LABEL = re.compile(
    rf"^{_LABEL_TOKEN}(?:[ \u00a0]{_LABEL_TOKEN}){{1,3}}[ \u00a0]+(?=[{_UP}][{_LO}]|\d)"
)
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)]*(?:\s|$)")
# What must follow the cut: a sentence of at least this many words.
_MIN_SENTENCE_WORDS = 4


def leading_label(line: str) -> int:
    """Where the credit or box label glued in front of `line` ends (0: none)."""
    first = line[:1]
    if not (first == "|" or first.isupper()):
        return 0
    match = _CREDIT_PREFIX.match(line)
    if match is None:
        match = _BOX_LABEL.match(line)
    if match is None:
        return 0
    rest = line[match.end() :]
    if count_words_upto(rest, _MIN_SENTENCE_WORDS) < _MIN_SENTENCE_WORDS:
        return 0
    if not _SENTENCE_END.search(rest):
        return 0
    return match.end()
