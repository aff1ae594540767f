"""Page furniture glued into the prose of a page flattened into one line.

Headings, pull quotes, video credits and stray style text glued to the prose
are cut out, and sentences glued together are cut apart; the text on each
side of a cut is kept verbatim.
"""

from __future__ import annotations

import re

from bot.ingest.text_line import word_set
from bot.nlp.tokens import count_words

# A page flattened into one line by a scraper (or a careless copy) keeps what
# stood between its paragraphs, glued to the prose without a space or a full
# stop: section headings ("…en Corse.Violents orages en CorseDe violents
# orages…"), pull quotes ('…Peskov."Un choix très clair""Moscou respecte…'),
# AFP-style "- Heading -" lines, the title and channel of an embedded video
# ("Title ?par BFMTV"), stray style text ("=1em"). The glue itself is the
# evidence: a lowercase letter followed directly by a capitalised word, or a
# quotation mark directly after a word or another quotation mark, at the end
# of a short run without sentence punctuation that starts where a sentence
# starts. Only that run is cut out; the text on both sides is kept as it
# was, so every sentence of the body is still a verbatim copy of the input.

_LO = "a-zß-öø-ÿœæ"
_UP = "A-ZÀ-ÖØ-ÞŒÆ"
_QUOTE_CHARS = '"«»“”„'
# A heading (or a video title) is at most this long.
_HEAD_MAX_WORDS = 15
_HEAD_MAX_CHARS = 160
_EMBED_TITLE_MAX_WORDS = 25
# How far back the start of a sentence is looked for.
_SENTENCE_MAX_CHARS = 600
_EMBED_SOURCE_MAX_CHARS = 40

# Each kind of glue has its own pattern, led by the rare character it turns on
# (a capital, a quotation mark, a dash), so a long line is scanned at C speed.
_SPACES = " \t\u00a0\u202f"
_GLUE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # "secoursOutre", "partielle‖L'alerte": a word glued to a capitalised one
    ("camel", re.compile(rf"[{_UP}](?<=[{_LO}][{_UP}])(?=[{_LO}]|['’][{_LO}{_UP}])")),
    # 'gorge""Je', 'septembre"Nous', '»« Le…': an opening quote glued to what precedes
    ("quote", re.compile(rf"[\"«“](?<=[\w\"»”][\"«“])(?=[{_UP}]|(?<=«)[{_SPACES}][{_UP}])")),
    # '…une folie »L'Europe': a closing quote glued to the next sentence
    ("close", re.compile(rf"[»”](?<=\w[»”]|[{_SPACES}][»”])(?=[{_UP}](?:[{_LO}]|['’]\w))")),
    # "?par BFMTV", "(vidéo)par Non Stop Zapping": a video's channel credit
    ("embed", re.compile(r"[?!.)](?=(?:par|by|von|por) \S)")),
    # "- 61 millions de vues -", "• Heading": a marked heading at a sentence start
    # (or at the start of the line: the lookbehind is negative so that the
    # pattern still starts with a character set, which `re` scans for at C speed)
    ("dash", re.compile(r"[-–—•►▶■](?<![^\s.!?…\"»”][-–—•►▶■])")),
    # "s'élève à 25.428.Des millions de masques": a sentence glued after a number
    ("number", re.compile(rf"\.(?<=\d\.)(?=[{_UP}][{_LO}]+[\s,])")),
    # "POUR LA PRIMAIREPar ailleurs": an all-caps heading glued to the next sentence
    ("caps", re.compile(rf"[{_UP}](?<=[{_UP}]{{3}})(?=[{_LO}]+[{_SPACES},])")),
)
# All kinds at once, for short lines; the lookahead (every first character
# above) lets `re` reject most positions with one test instead of six.
_GLUE_FIRST = rf"[{_UP}\"«“»”?!.)\-–—•►▶■]"
_GLUE_ALTERNATIVES = "|".join(f"(?:{pattern.pattern})" for _, pattern in _GLUE_PATTERNS)
_GLUE_ANY = re.compile(rf"(?={_GLUE_FIRST})(?:{_GLUE_ALTERNATIVES})")
_GLUE_SCAN_CHARS = 1000
_SENTENCE_STOP = re.compile(r"[.!?…]+(?:[\"'»”’)\]]|\s[»”])*")
_RIGHT_WORD = re.compile(rf"[{_UP}](?:[{_LO}]+|['’]\w+)(?:['’-]\w+)*")
_INNER_STOP = re.compile(r"[.!?…]\s")
_CODE_CHARS = re.compile(r"[=<>{}\\|;]|\[/")
_DASH_HEAD = re.compile(
    rf"[-–—•►▶■]\s*(?P<text>[^.!?\n]{{1,{_HEAD_MAX_CHARS}}}?\s?[?!]?)"
    rf"(?:(?:\s[-–—]|(?<=[\"»”?!])[-–—])\s?|(?<=[?!])\s?)(?=[\"«“]?\s?[{_UP}0-9])"
)
_SOURCE_END = re.compile(rf"(?<=[{_LO}.+])(?=[{_UP}][{_LO}])|(?<=[{_UP}])(?=[{_UP}][{_LO}])|[\"«“]")
# Words that abbreviate before a name or number: their full stop ends no sentence.
_ABBREVIATIONS = word_set(
    "Mr Mrs Ms Dr St Sr Jr Prof Gen Gov Sen Rep Col Lt Sgt Capt Mme Mlle MM Me Pr Mgr "
    "Hr Fr Frau Sra Srta Dra No Nr Vol Art vs etc av ca Inc Ltd Co"
)
# Capitalised words that start sentences (a glued "CorseDe violents orages"
# is a heading, "EgyptAir" a name).
_STARTERS = word_set(
    "The A An This That These Those It He She They We I In On At For From With After As "
    "But And Or So If When While There Here Some Many Most One Two Three Meanwhile However "
    "Le La Les L Un Une Des De Du Ce Cet Cette Ces Il Elle Ils Elles On Nous Vous Je Mais Et "
    "Dans Pour Par Sur Avec Selon Après Avant Depuis Lors Quand Si Ainsi Cependant Pourtant "
    "His Her Their Our Its My Your "
    "Alors Puis Aussi Enfin Son Sa Ses Leur Leurs Au Aux À En Face Dès C D J N S Qu Outre "
    "Der Die Das Den Dem Ein Eine Es Er Sie Wir Aber Und Im Am Auf Bei Mit Nach Seit Von Vor "
    "Zu Auch Dabei Damit Dann Doch Laut Nun Noch "
    "El Los Las Lo Unos Unas Este Esta Estos Estas Ese Esa Pero Con Del Al Según Tras Desde "
    "Durante Cuando Como Además Mientras Aunque Hoy Ya"
)


def glued_furniture(line: str) -> list[tuple[int, int, str]]:
    """Spans of `line` (start, end, kind) that are page furniture glued to the prose;
    an empty span marks two sentences glued together, to be cut apart."""
    if len(line) < _GLUE_SCAN_CHARS and not _GLUE_ANY.search(line):
        return []  # one call instead of six on the short lines of tidy text
    found = [
        (match.start(), kind, match.end())
        for kind, pattern in _GLUE_PATTERNS
        for match in pattern.finditer(line)
    ]
    if not found:
        return []
    found.sort()
    spans: list[tuple[int, int, str]] = []
    for position, kind, glue_end in found:
        if spans and position < spans[-1][1]:
            continue
        span: tuple[int, int, str] | None
        if kind == "dash":
            span = _dash_heading(line, position)
        elif kind == "embed":
            span = _embed(line, position + 1)
        elif kind == "number":
            span = (position + 1, position + 1, "glued")
        elif kind == "close":
            before = position - 1 if line[position - 1] in _SPACES else position
            span = _glued_heading(line, before, glue_end, kind)
        else:
            span = _glued_heading(line, position, glue_end, kind)
        if span and (not spans or span[0] > spans[-1][1] or span[0] == spans[-1][1] < span[1]):
            spans.append(span)
    return spans


def _sentence_start(line: str, position: int, max_chars: int = _HEAD_MAX_CHARS) -> int | None:
    """Where the sentence that reaches `position` starts; None when that is too far back."""
    low = max(0, position - max_chars)
    start = 0 if low == 0 else None
    for stop in _SENTENCE_STOP.finditer(line, low, position):
        end = stop.end()
        if stop.group()[-1] == '"' and end < position and not line[end].isspace():
            end -= 1  # '."Un choix': a straight quote glued to a word opens the next sentence
        while end < position and line[end] in " \t\u00a0\u202f":
            end += 1
        if end >= position:
            return position  # nothing between that sentence and the glue
        after = line[end]
        if after.islower():
            continue  # "?» a-t-il dit": the sentence goes on
        punct = stop.group()[0]
        before = stop.start()
        if punct == "." and before > 0 and line[before - 1].isdigit() and after.isdigit():
            continue  # "3.5"
        word = line[line.rfind(" ", 0, before) + 1 : before].lstrip(_QUOTE_CHARS + "'(")
        if punct == "." and ((len(word) == 1 and word.isupper()) or word in _ABBREVIATIONS):
            continue  # "M. Dupont", "Dr. Who"
        start = end
    return start


def _heading_ok(text: str, *, one_word: bool) -> bool:
    if not text or len(text) > _HEAD_MAX_CHARS:
        return False
    first = text[0]
    if not (first.isupper() or first.isdigit() or first in _QUOTE_CHARS + "-–—•►▶■'"):
        return False
    n_words = count_words(text)
    return (2 if not one_word else 1) <= n_words <= _HEAD_MAX_WORDS


def _glued_heading(
    line: str, position: int, glue_end: int, kind: str
) -> tuple[int, int, str] | None:
    """The heading glued at `position`, or an empty span where two sentences
    were glued together (the run before the glue is too long for a heading)."""
    start = _sentence_start(line, position, max_chars=_SENTENCE_MAX_CHARS)
    begin = start if start is not None else max(0, position - _SENTENCE_MAX_CHARS)
    end = position
    if kind == "close":
        end = glue_end
    elif kind == "quote" and line[position - 1] not in _QUOTE_CHARS:
        # A straight quote after a word closes the run when the run opened
        # one ('"Les fumeurs sont protégés"Selon…'), else it opens the next
        # sentence ('…avant septembre"Nous allons…'), which must then be a
        # sentence, not an inline quote ('la ligne "Nord" entre Paris…').
        if line[position] == '"' and sum(line.count(q, begin, position) for q in _QUOTE_CHARS) % 2:
            end = position + 1
        else:
            closing = next(
                (
                    i
                    for i in range(position + 1, min(len(line), position + 60))
                    if line[i] in _QUOTE_CHARS
                ),
                None,
            )
            if closing is not None and count_words(line[position:closing]) < 3:
                return None
    text = line[begin:end].strip()
    if _CODE_CHARS.search(text):
        return (begin, end, "script") if start is not None and count_words(text) <= 3 else None
    if kind == "camel" and not _camel_is_glue(line, position, begin):
        return None
    if kind == "caps" and not (start is not None and _caps_is_glue(line, position, text)):
        return None
    one_word = kind in ("camel", "caps") and _starts_with_starter(line, position)
    if start is not None and _heading_ok(text, one_word=one_word):
        return (start, end, "heading")
    if start is None or count_words(text) > _HEAD_MAX_WORDS:
        return (end, end, "glued")  # two sentences glued: cut between them, drop nothing
    return None


def _camel_is_glue(line: str, position: int, begin: int) -> bool:
    """The word on the left ends in lowercase, the one on the right is a plain
    capitalised word: "secoursOutre" is glue; "EgyptAir", "McKee", "iPhone",
    "#MeToo" and "getElementById" are names."""
    left_start = position
    while left_start > begin and line[left_start - 1].isalpha():
        left_start -= 1
    left = line[left_start:position]
    if len(left) < 3 or (left_start > 0 and line[left_start - 1] in "#@/_."):
        return False
    right = _RIGHT_WORD.match(line, position)
    if right is None:
        return False
    following = line[right.end() : right.end() + 1]
    if following.isalpha() or following.isdigit():
        return False
    return left.islower() or (following.isspace() and _starts_with_starter(line, position))


def _caps_is_glue(line: str, position: int, heading: str) -> bool:
    """An all-caps run, from a sentence start, glued to a word that starts
    sentences: "LA PRIMAIREPar ailleurs", "D'AMENDEEt si". Acronyms inside
    prose ("à la SNCFLe", "l'ONU", "VIIIe") and names ("ESPNcricinfo") are not."""
    letters = [c for c in heading if c.isalpha()]
    return (
        len(letters) >= 3
        and all(c.isupper() for c in letters)
        and _starts_with_starter(line, position)
    )


def _starts_with_starter(line: str, position: int) -> bool:
    right = _RIGHT_WORD.match(line, position)
    return right is not None and re.split(r"['’-]", right.group(), maxsplit=1)[0] in _STARTERS


def _dash_heading(line: str, marker: int) -> tuple[int, int, str] | None:
    """'- 61 millions de vues -Boostée…', '- Quel mode opératoire ?Les victimes…'."""
    before = marker
    while before > 0 and line[before - 1] in _SPACES:
        before -= 1
    if before > 0 and line[before - 1] not in '.!?…"»”':
        return None  # not at a sentence start
    match = _DASH_HEAD.match(line, marker)
    if match is None or match.end() >= len(line):
        return None
    if not 1 <= count_words(match.group("text")) <= _HEAD_MAX_WORDS:
        return None
    return (marker, match.end(), "heading")


def _embed(line: str, position: int) -> tuple[int, int, str] | None:
    """An embedded video: 'Title ?par BFMTV' glued between two sentences."""
    credit = position + line[position:].index(" ") + 1
    limit = min(len(line), credit + _EMBED_SOURCE_MAX_CHARS)
    found = _SOURCE_END.search(line, credit + 1, limit)
    if found is not None:
        end = found.start()
    elif len(line) <= limit:
        end = len(line)
    else:
        return None
    source = line[credit:end].strip()
    if not 1 <= count_words(source) <= 4 or _INNER_STOP.search(source):
        return None
    start = position
    if line[position - 1] in '?!)»"':
        title = _sentence_start(line, position - 1, max_chars=250)
        if title is not None and count_words(line[title:position]) <= _EMBED_TITLE_MAX_WORDS:
            start = title
    return (start, end, "embed")
