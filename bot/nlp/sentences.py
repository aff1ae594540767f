"""Sentence splitting without NLTK data.

A regex finds every place a sentence could end (terminal punctuation with its
closing quotes, a newline, a blank line); a small decision function then looks
at the word before and the text after. Sentences are never rewritten: each is a
slice of the input with surrounding whitespace stripped, so a summary made of
them is a verbatim quote of the article.

Rules that matter on real news text:
- abbreviations: titles ("Mr.", "M.", "Dr.", "Sra.") never end a sentence
  before a name; "U.S.", "etc.", "Inc." end one only when a word that starts
  sentences ("The", "Le", "Der", "El", ...) follows; "No. 5", "Jan. 25",
  "H.R. 1" keep the number;
- initials ("J. R. R. Tolkien", "George W. Bush");
- German-style ordinals ("am 3. Oktober");
- text glued after the full stop by scrapers ("de 60 ch.La Mini") is split,
  while "U.S.A", "3.5", "www.example.com" and "Node.js" are not;
- closing quotes after the punctuation stay with their sentence, and a
  lowercase continuation ("?» a-t-il dit.") does not start a new one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from bot.nlp.tokens import sentence_words, words

_TERMINAL = ".!?…‽。！？｡．"
_CJK_TERMINAL = "。！？｡．"
_SPACE = " \t\r\u00a0\u202f\u2009\u2007"

# Quotes that close a sentence. Languages that quote »like this« or „like
# this“ close with different characters than those that quote «like this».
_REVERSED_QUOTES = frozenset({"de", "da", "cs", "sk", "sl", "hr", "sv", "fi", "hu", "pl", "et"})
# (Straight quotes close only when no letter follows: in `."Le` it opens the next one.)
_CLOSERS_DEFAULT = "”’»)]」』"
_CLOSERS_REVERSED = "“‘”’«)]」』"

# Languages that write ordinals as "3." ("am 3. Oktober").
_ORDINAL_DOT = frozenset(
    {"de", "da", "no", "nb", "nn", "fi", "cs", "sk", "sl", "hr", "sr", "bs", "hu", "tr",
     "et", "lv", "is", "pl", "fo"}
)  # fmt: skip


def _set(names: str) -> frozenset[str]:
    return frozenset(names.split())


# Titles before a name: never a sentence end when a capital or digit follows.
_TITLES = _set(
    """
    Mr Mrs Ms Mx Messrs Mmes Dr Drs Prof Profs St Ste Sts Sen Sens Rep Reps Gov Gen
    Lt Col Maj Sgt Capt Cpt Cmdr Cdr Adm Brig Rev Hon Pres Supt Insp Cllr Fr Br Mt Ft
    Pvt Cpl Amb Atty Dir Mgr Mlle Mme M MM Me Pr Vve
    Hr Hrn Frl Dipl Ing Pfr Abg Hl
    Sra Srta Sres Sras Dña Dra Lic Arq Excmo Excma Ilmo Ilma Sto Sta Dn Da Ud Uds Vd Vds
    Sig Sigg Dott Ing Avv Sr Jr Mons Mgr EE
    """
)
# "Sr."/"Jr." end a name as often as they precede one: they are listed as titles
# (no split before a capitalised name) but the sentence-starter test still
# splits "... Jr. The ...".
_TRAILING_TITLES = frozenset({"Sr", "Jr"})

# Abbreviations that usually precede a number ("No. 5", "p. 12", "Art. 3").
_NUMBER_PREFIXES = _set(
    """
    No Nos no nos Nr nr Nrn n nº Nº núm Núm num Num Art art Abs abs Bd Vol vol Vols
    p pp P S Fig fig Figs Tel tel Kap kap Chap chap Sec sec Sect Ziff Pkt Rn Rz Tab tab
    Anm Pos ca Ca approx Approx env Env aprox Aprox pág Pág págs Hwy Rte Rt Km km Ed ed
    """
)

# Abbreviations that may end a sentence: a boundary only when a sentence
# starter follows.
_AMBIGUOUS = _set(
    """
    etc Etc al Inc Ltd Co Corp Bros Plc plc Cie Cía Cia Ag AG Gmbh GmbH Ltda Sa SA
    Jr Sr Esq Ph vs Vs cf Cf viz resp Resp incl Incl bzw Bzw ggf Ggf usw Usw vgl Vgl
    sog Sog evtl Evtl inkl Inkl ff Jh Jhd Mio Mrd Mia Tsd Std Min min Sek sek Dt dt
    engl Engl franz frz lat gr ital span amerik Ebd ebd Hrsg hrsg Bsp bspw Bspw
    Avda Av av Bd bd Blvd blvd Str str Pl pl Rd Ave Sq
    éd Éd coll Coll cad Cad vol sq sqq
    Jan Feb Febr Mar Apr Jun Jul Aug Sep Sept Oct Okt Nov Dec Dez
    janv Janv févr Févr fév Fév avr Avr juil Juil déc Déc
    ene Ene abr Abr ago Ago dic Dic
    """
)
_MONTHS = _set(
    """
    Jan Feb Febr Mar Apr Jun Jul Aug Sep Sept Oct Okt Nov Dec Dez
    janv Janv févr Févr fév Fév avr Avr juil Juil sept oct nov déc Déc
    ene Ene feb abr Abr ago Ago dic Dic
    """
)

# Multi-word abbreviations with inner spaces, matched against the text just
# before the final full stop. None of them ends a sentence.
_MULTI_ABBREV = re.compile(
    r"(?:^|[\s(\[\"'«“„])(?:z\.\s?B|d\.\s?h|u\.\s?a|o\.\s?ä|u\.\s?U|v\.\s?a|s\.\s?o|s\.\s?u"
    r"|i\.\s?d\.\s?R|m\.\s?E|p\.\s?ex|c\.-à-d|c\.\s?à\.\s?d|N\.\s?d\.\s?R|N\.\s?D\.\s?L\.\s?R"
    r"|e\.\s?g|i\.\s?e)$"
)
# Spanish "EE. UU." (United States) often ends a sentence: treated as ambiguous.
_AMBIGUOUS_MULTI = re.compile(r"(?:^|[\s(])EE\.\s?UU$")

# Capitalised words that start sentences far more often than they follow an
# abbreviation: articles, pronouns, conjunctions, prepositions.
_STARTERS = _set(
    """
    the an this that these those it its he she they we you his her their our my your
    but and or so yet however in on at for from with after before as when while if
    there here then what who why how where which some many most all both not also
    since although though because by to is was are were has have had will would can
    could meanwhile instead still now last earlier later during despite according one
    two three no nor neither each every other another such only even just more
    le la les un une des du de ce cet cette ces il elle ils elles on nous vous je mais
    et ou donc or ni car en dans pour par sur avec selon après avant depuis lors quand
    si ainsi cependant toutefois pourtant alors puis aussi enfin cela ceci ça son sa
    ses leur leurs notre nos mon ma mes au aux à pas plus parmi face dès
    der die das den dem des ein eine einen einem einer es er sie wir ihr ich man aber
    und oder doch denn auch im am an auf aus bei mit nach seit von vor zu zum zur für
    über unter dabei damit dann daher deshalb dies diese dieser dieses wie was wer wo
    wenn als ob nun jetzt noch hier da laut trotz während sein seine ihre unser kein
    keine nicht zudem außerdem allerdings jedoch bisher zuvor zunächst
    el los las lo unos unas este esta estos estas ese esa eso esto él ella ellos ellas
    nosotros usted yo se su sus pero sin con del al por para según tras desde durante
    cuando como que qué quién donde además así mientras aunque hoy ayer ahora ya hay
    fue era
    il lo gli uno questo questa ma per nel nella secondo dopo anche non
    os um uma mas para com em na segundo depois não
    het een dit deze dat maar op met voor volgens hij zij ze wij
    """
)
_ELIDED_STARTERS = frozenset({"l", "c", "d", "qu", "j", "s", "n", "m", "t", "lorsqu", "puisqu"})

# One-letter words that start sentences ("A l'inverse", "À partir", "Y a-t-il",
# "I think") and one-letter titles ("M. Drouet"), for text glued after a full stop.
_GLUED_LETTER_STARTERS = frozenset({"A", "À", "Y", "I"})
_GLUED_LETTER_TITLES = frozenset({"M"})
_GLUED_LETTER_NEXT = re.compile(r"[ \u00a0](?:[^\W_]|[\"«“])")
_GLUED_TITLE_NEXT = re.compile(r"\.[ \u00a0][^\W\d_]")
# Capitalised domain endings that start no sentence ("Site.Com").
_TOP_DOMAINS = frozenset({"com", "org", "net", "gov", "edu"})
_GLUED_CLOSERS = "\"'”’»)"

_BULLET = re.compile(r"[ \t\u00a0]*(?:[-*•·‣▪–—]|\d{1,3}[.)])[ \t\u00a0]+")
_BULLET_SYMBOL = re.compile(r"(?:[-*•·‣▪–—])[ \t\u00a0]+")
_FOLLOW = re.compile(r"(?P<gap>\s*)(?P<open>[\"'“‘«»„‚(\[¿¡]*)(?P<word>\w+(?:['’]\w+)?)?")
_HAS_WORD = re.compile(r"\w")
_DASHES = "-–—"
# A dash, then a word in lowercase: who said the quotation before it ('!" - заявил').
_ATTRIBUTION = re.compile(r"[-–—][ \t\u00a0\u202f]+([^\W\d_])")


@cache
def _breaks(language: str) -> re.Pattern[str]:
    closers = _CLOSERS_REVERSED if language in _REVERSED_QUOTES else _CLOSERS_DEFAULT
    spaced = "»”" if language not in _REVERSED_QUOTES else "«“"
    cq = "”»" if language not in _REVERSED_QUOTES else "“«"
    closers_re = re.escape(closers)
    first = re.escape("\n" + _TERMINAL + '"”»“«')
    return re.compile(
        # one cheap test per position before trying the alternatives
        rf"(?=[{first}])"
        rf"(?:(?P<para>\n(?:[{_SPACE}]*\n)+)"
        rf"|(?P<nl>\n)"
        # punctuation, then closing quotes/brackets glued to it, or a French-style
        # closing quote after a (no-break) space
        rf"|(?P<end>[{_TERMINAL}]+(?:[{closers_re}]|[\"'](?!\w)|[{_SPACE}][{re.escape(spaced)}](?!\w))*)"
        # a closing quote glued to the next opening quote: «…gorge""Je ne…»
        rf"|(?P<qq>(?<=\w)[\"”»](?=[\"“«][^\W\d_]))"
        # a closing quote glued to the next sentence: «…la transition »Le…»
        rf"|(?P<cq>(?<=[\w.!?…])[{cq}](?=[^\W\d_][^\W\d_])|(?<=\w[{_SPACE}])[{cq}](?=[^\W\d_])))"
    )


def _prev_token(text: str, start: int) -> str:
    i = start
    while i > 0 and not text[i - 1].isspace():
        i -= 1
    return text[i:start].lstrip("\"'“‘«»„‚([¿¡")


def _is_starter(word: str) -> bool:
    if len(word) < 2 and word not in ("À", "É"):
        return False
    if not word[0].isupper():
        return False
    lower = word.lower()
    if lower in _STARTERS:
        return True
    for apostrophe in ("'", "’"):
        if apostrophe in lower:
            return lower.split(apostrophe, 1)[0] in _ELIDED_STARTERS
    return False


def _end_is_boundary(text: str, start: int, stop: int, language: str) -> bool:
    punct = text[start]
    if punct in _CJK_TERMINAL:
        return _cjk_end_is_boundary(text, start, stop)
    follow = _FOLLOW.match(text, stop)
    assert follow is not None  # every group is optional
    gap, opening, word = follow.group("gap"), follow.group("open"), follow.group("word")
    after = follow.end("gap")
    if after >= len(text):
        return True
    if gap.count("\n") >= 2:
        return True  # the paragraph break cuts anyway
    if start > 0 and text[start - 1] in "([" and punct in ".…":
        return False  # "(...)" or "[…]": an elision inside a quotation
    if not word:
        # Not followed by a word: a dash, a bullet, an emoji, or punctuation
        # that continues the sentence.
        # (After an opening-looking quote, "…attaqué... \", confie" shows it closed.)
        nxt = text[follow.end()] if follow.end() < len(text) else ""
        attribution = _ATTRIBUTION.match(text, follow.end()) if nxt in _DASHES else None
        if attribution is not None and attribution.group(1).islower():
            return False  # '…землю!" - заявил Лукашенко': the quotation's attribution
        return bool(gap) and nxt not in ",;:.)]}%"
    first = word[0]
    if first.islower():
        return False
    prev = _prev_token(text, start)
    if "/" in prev or "@" in prev:
        return False  # a URL or an address
    mark = text[start:stop].rstrip(_SPACE)
    strong = any(c in "!?‽…" for c in mark) or mark.startswith("...")
    cased = first.isupper()
    if not gap:
        if _glued_web_address(text, stop, prev, word):
            return False  # "www.Example.Com", "Site.Com/Page"
        # Glued: "60 ch.La Mini", "raconté.Lors". Demand a capital followed by
        # a lowercase letter, so "U.S.A", "3.5", "Node.js", "ASP.NET" stay whole.
        if not opening and not (cased and len(word) > 1 and (word[1].islower() or word[1] in "'’")):
            return _glued_letter_is_boundary(text, follow.end(), prev, word)
        if opening and not cased:
            return False
        if strong:
            return True
        core = prev.rstrip(".")
        if len(core) < 2 or "." in core or core in _TITLES or core in _AMBIGUOUS:
            return False
        return core not in _NUMBER_PREFIXES
    if strong:
        return True
    return _full_stop_is_boundary(text, start, prev, word, language)


def _cjk_end_is_boundary(text: str, start: int, stop: int) -> bool:
    """A full-width full stop, question or exclamation mark ends a sentence, except
    "３．５" (a decimal point between full-width digits) and the end of a quotation
    that the sentence goes on after: 「…ません。」と述べた, 「…。」、"""
    after = text[stop] if stop < len(text) else ""
    if text[start] == "．":
        return not (start > 0 and text[start - 1].isdigit() and after.isdigit())
    quoted = stop > start + 1 and text[stop - 1] in "」』"
    return not (quoted and after in ("と", "、", "，"))


def _glued_web_address(text: str, stop: int, prev: str, word: str) -> bool:
    """Whether the text glued on both sides of a full stop is a web address."""
    if prev.lower() == "www" or word.lower() in _TOP_DOMAINS:
        return True
    end = stop
    while end < len(text) and not text[end].isspace():
        end += 1
    return "/" in text[stop:end] or "@" in text[stop:end]


def _glued_letter_is_boundary(text: str, after: int, prev: str, word: str) -> bool:
    """A one-letter word glued after a full stop: "en Syrie.A l'inverse",
    "la France.À partir", "la terreur.M. Drouet". Only after a plain word of
    three letters or more, so "U.S.A", "E.ON", "J.K. Rowling", "M.Macron",
    "3.A" and "ONU.A" stay whole."""
    if not _is_plain_word(prev.rstrip(_GLUED_CLOSERS)):
        return False
    if word in _GLUED_LETTER_STARTERS:
        # "A l'inverse", "À partir", "Y aura-t-il": a space and a word follow
        return _GLUED_LETTER_NEXT.match(text, after) is not None
    if word in _GLUED_LETTER_TITLES:
        return _GLUED_TITLE_NEXT.match(text, after) is not None  # "M. Drouet"
    return False


def _is_plain_word(token: str) -> bool:
    """Letters only (parts joined by apostrophes or hyphens), the last part of
    three letters or more, lower case but for its first: "Syrie", "raconté",
    "Météo-France"; not "ONU", "U.S", "E", "25.428" or "McDonald"."""
    parts = re.split(r"['’-]", token)
    last = parts[-1]
    return all(part.isalpha() for part in parts) and len(last) >= 3 and last[1:].islower()


def _full_stop_is_boundary(text: str, start: int, prev: str, word: str, language: str) -> bool:
    """A "." followed by space and a capital, a digit or a caseless letter."""
    core = prev[:-1] if prev.endswith(".") else prev  # "..." handled by the caller
    core = core.rstrip(".")
    digit_next = word[0].isdigit()
    starter = _is_starter(word)
    if not core:
        return True
    if _MULTI_ABBREV.search(text, max(0, start - 12), start):
        return False
    if _AMBIGUOUS_MULTI.search(text, max(0, start - 8), start):
        return starter
    if core in _TITLES:
        return core in _TRAILING_TITLES and starter
    if core in _NUMBER_PREFIXES and digit_next:
        return False
    if core in _MONTHS:
        return starter and not digit_next
    if core in _AMBIGUOUS:
        return starter
    if "." in core:
        # Dotted acronyms: "U.S.", "U.K.", "H.R.", "a.m." ("H.R. 1" keeps its number).
        return starter
    if len(core) == 1 and core.isalpha():
        # An initial ("George W. Bush") or a lettered item.
        return starter
    if core.isdigit():
        if len(core) <= 2 and _starts_sentence(text, start - len(prev)):
            return False  # "… studio. 3. LAST SPELL …": a list number opens the sentence
        if len(core) <= 2 or (language in _ORDINAL_DOT and len(core) <= 3):
            # A list number ("… 1:35.782 2. Nico Rosberg") or an ordinal
            # ("am 3. Oktober"), unless a sentence plainly starts after it.
            return starter
        return True
    return True


def _starts_sentence(text: str, position: int) -> bool:
    """Whether `position` comes right after a sentence end (or the start)."""
    i = position
    while i > 0 and text[i - 1].isspace():
        i -= 1
    if i == 0 or text[i - 1] == "\n" or i < position and "\n" in text[i:position]:
        return True
    if text[i - 1] == "." and i > 1 and text[i - 2].isalnum():
        # "Nr. 5." or "No. 3.": the full stop before belongs to an abbreviation
        word = _prev_token(text, i - 1).rstrip(".")
        return not (
            len(word) <= 1 or word in _NUMBER_PREFIXES or word in _TITLES or word in _AMBIGUOUS
        )
    return text[i - 1] in _TERMINAL or (
        i > 1 and text[i - 1] in "\"'”’»)" and text[i - 2] in _TERMINAL
    )


def _newline_is_boundary(text: str, pos: int) -> bool:
    """A single newline inside a paragraph: a heading or a list item ends there."""
    begin = text.rfind("\n", 0, pos) + 1
    line = text[begin:pos].strip()
    nxt_end = text.find("\n", pos + 1)
    if nxt_end < 0:
        nxt_end = len(text)
    nxt = text[pos + 1 : nxt_end]
    stripped_next = nxt.strip()
    if not line or not stripped_next:
        return True
    if _BULLET.match(nxt):
        return True
    if _BULLET.match(text, begin, pos) and not nxt[0].isspace() and not nxt[0].islower():
        return True  # the end of a list item (an indented next line continues it)
    last = line[-1]
    if line.rstrip("\"'”’»«“)]").endswith(tuple(_TERMINAL)):
        # A sentence end before the newline is judged by the punctuation rule;
        # a hard-wrapped line ending in "etc." must not be cut here.
        return False
    first = stripped_next[0]
    if not (first.isupper() or first.isdigit() or first in "\"“«„'¿¡(["):
        return False
    if last == ":":
        return True
    if last in ",;-–(/&":
        return False
    if len(words(line)) > 15:
        return False
    if len(line) < 40:
        return True
    # Hard-wrapped prose has lines of similar length; a heading is much shorter
    # than its neighbours.
    prev_begin = text.rfind("\n", 0, max(0, begin - 1)) + 1
    prev = text[prev_begin : max(0, begin - 1)].strip() if begin > 0 else ""
    widest = max(len(prev), len(stripped_next))
    return len(line) < 0.7 * widest


def _glued_quote_is_boundary(text: str, end: int) -> bool:
    # Only a capital followed by lowercase starts a sentence here ("»Le", not "»iPhone").
    return end + 1 < len(text) and text[end].isupper() and text[end + 1].islower()


def _cuts(text: str, language: str) -> Iterable[tuple[int, int]]:
    """(start, end) spans of text that separate sentences."""
    for match in _breaks(language).finditer(text):
        kind = match.lastgroup
        start, end = match.span()
        if kind == "para":
            yield start, end
        elif kind == "nl":
            if _newline_is_boundary(text, start):
                yield start, end
        elif kind == "end":
            if _end_is_boundary(text, start, end, language):
                yield end, end
        elif kind == "qq" or (kind == "cq" and _glued_quote_is_boundary(text, end)):
            yield end, end


def _clean(piece: str) -> str | None:
    piece = piece.strip()
    bullet = _BULLET_SYMBOL.match(piece)
    if bullet:
        piece = piece[bullet.end() :]
    if not piece or not _HAS_WORD.search(piece):
        return None
    return piece


def split_sentences(text: str, language: str) -> list[str]:
    """The sentences of `text`, in order, each an exact (stripped) slice of it."""
    if not text or not text.strip():
        return []
    language = (language or "").split("-", 1)[0].split("_", 1)[0].lower()
    sentences: list[str] = []
    position = 0
    for cut_start, cut_end in _cuts(text, language):
        sentence = _clean(text[position:cut_start])
        if sentence:
            sentences.append(sentence)
        position = max(position, cut_end)
    sentence = _clean(text[position:])
    if sentence:
        sentences.append(sentence)
    if language == "th":
        return [piece for sentence in sentences for piece in _thai_sentences(sentence)]
    return sentences


# Thai marks no sentence end: a space between Thai letters separates sentences,
# but also clauses and phrases. A cut is kept when it leaves at least this many
# words on each side (on the Thai sentences of the UD PUD treebank, joined with
# spaces: precision 0.39, recall 0.63; every space: 0.33 and 0.90).
_THAI_GAP = re.compile(r"(?<=[\u0e01-\u0e4e])[ \u00a0]+(?=[\u0e01-\u0e4e])")
_THAI_MIN_WORDS = 6


def _thai_sentences(text: str) -> list[str]:
    """`text` cut at the spaces between Thai letters that leave long enough pieces."""
    out: list[str] = []
    begin = 0
    for gap in _THAI_GAP.finditer(text):
        if (
            len(words(text[begin : gap.start()])) >= _THAI_MIN_WORDS
            and len(words(text[gap.end() :])) >= _THAI_MIN_WORDS
        ):
            out.append(text[begin : gap.start()])
            begin = gap.end()
    out.append(text[begin:])
    return out


class Tokenizer:
    """A sumy tokenizer that needs no NLTK data.

    sumy only calls `to_sentences` and `to_words` (and reads `language`).
    """

    def __init__(self, language: str) -> None:
        self._language = language

    @property
    def language(self) -> str:
        return self._language

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return tuple(split_sentences(paragraph, self._language))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return sentence_words(sentence)
