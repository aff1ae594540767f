"""What the dropped lines say about the article: its source, author and date.

A "SOURCE: ..." line (or "with AFP") names the publisher, a byline the
author, a date line the publication date; each such line is dropped from the
body and the first of each kind is kept in `Meta`. Names typed in capitals
are put in normal case, acronyms kept.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.ingest.text_lexicon import (
    BYLINE_LABELS,
    DATE_LABELS,
    SOURCE_LABELS,
    STAMP_WORDS,
    alternation,
    month_numbers,
)
from bot.ingest.text_line import ends_sentence, word_set
from bot.nlp.tokens import count_words

_I = re.IGNORECASE

_SOURCE_WORDS = (
    r"source|sources|src|quelle|quellen|fuente|fuentes|fonte|fontes|bron|fonti"
    rf"|{alternation(SOURCE_LABELS)}"
)
_SOURCE = re.compile(
    rf"^\(?\s*(?:{_SOURCE_WORDS})\s*[:：]\s*(?P<name>(?:[^.!?]|\.(?=\w)){{1,80}}?)\s*\)?\.?$",
    _I,
)
_WITH_AGENCY = re.compile(
    r"^\(?\s*(?:avec|with|mit|con|com)\s+(?P<name>(?:AFP|Reuters|AP|dpa|EFE|Europa Press|ANSA"
    r"|Lusa|Belga|ATS|Xinhua|KNA|epd|APA|agences|agencies|Agenturen|agencias)"
    r"(?:\s*(?:,|et|and|und|y|e)\s*[\w ]{1,20})?)\s*\)?\.?$",
    _I,
)
_NAME_WORD = r"[A-ZÀ-ÖØ-ÞĀ-ŽА-ЯЁІЇЄҐΑ-Ω][\w'’.\-]*"
_PARTICLE = r"(?:de|da|do|dos|del|della|van|von|der|den|la|le|du|di|y|and|et|und|e|&)"
_BYLINE = re.compile(
    rf"^(?i:by|par|von|por|written by|texte|text|texto|{alternation(BYLINE_LABELS)})\s*:?\s+"
    rf"(?P<name>{_NAME_WORD}(?:\s+(?:{_NAME_WORD}|{_PARTICLE}))*)"
    r"(?:\s*(?:[,|•·–—-]|\bfor\b|\bpour\b|\bfür\b|\bpara\b|\bin\b)\s*.{0,80})?$"
)
_DATE_WORDS = (
    r"published|updated|posted|last updated|first published|publié|publiée|mis à jour"
    r"|modifié|veröffentlicht|aktualisiert|zuletzt aktualisiert|stand|publicado|actualizado"
    r"|última actualización"
)
_DATE_LABEL = re.compile(
    rf"^(?:{_DATE_WORDS})\b|^(?:{alternation(DATE_LABELS)})(?=[\W\d]|$)",
    _I,
)
# A source or date label alone on its line, its value on the next ("Źródło:" / "tvn24.pl, PAP").
_BARE_LABEL = re.compile(
    rf"^(?:{_SOURCE_WORDS}|{_DATE_WORDS}|{alternation(DATE_LABELS)})\s*[:：]\s*$", _I
)
_MONTHS = {
    **dict.fromkeys(["january", "janvier", "januar", "enero", "jan", "janv", "ene"], 1),
    **dict.fromkeys(["february", "février", "fevrier", "februar", "febrero", "feb", "févr"], 2),
    **dict.fromkeys(["march", "mars", "märz", "marzo", "mar"], 3),
    **dict.fromkeys(["april", "avril", "abril", "apr", "avr", "abr"], 4),
    **dict.fromkeys(["may", "mai", "mayo"], 5),
    **dict.fromkeys(["june", "juin", "juni", "junio", "jun"], 6),
    **dict.fromkeys(["july", "juillet", "juli", "julio", "jul", "juil"], 7),
    **dict.fromkeys(["august", "août", "aout", "agosto", "aug", "ago"], 8),
    **dict.fromkeys(["september", "septembre", "septiembre", "sep", "sept"], 9),
    **dict.fromkeys(["october", "octobre", "oktober", "octubre", "oct", "okt"], 10),
    **dict.fromkeys(["november", "novembre", "noviembre", "nov"], 11),
    **dict.fromkeys(
        ["december", "décembre", "dezember", "diciembre", "dec", "déc", "dez", "dic"], 12
    ),
    **month_numbers(),
}
_MONTH_RE = "|".join(
    sorted((re.escape(m).replace(r"\ ", r"\s+") for m in _MONTHS), key=len, reverse=True)
)
_NUMERIC_DATE = re.compile(
    r"\b(\d{4})-(\d{2})-(\d{2})\b|\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b"
    r"|(?<!\d)(\d{4})(?:[/.]|\s?[年년]\s?)(\d{1,2})(?:[/.]|\s?[月월]\s?)(\d{1,2})(?![\d.]\d)"
)
_DAY_MONTH_YEAR = re.compile(
    rf"\b(\d{{1,2}})(?:er|st|nd|rd|th|\.|º)?,?\s+(?:de\s+)?({_MONTH_RE})\.?,?\s+(?:de\s+)?"
    rf"(\d{{4}})\b",
    _I,
)
_MONTH_DAY_YEAR = re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}}),?\s+(\d{{4}})\b", _I)
_DATE_ONLY = re.compile(
    rf"^(?:\w+,?\s+)?(?:\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}[./]\d{{1,2}}[./]\d{{2,4}}"
    rf"|\d{{1,2}}(?:er|st|nd|rd|th|\.|º)?,?\s+(?:de\s+)?(?:{_MONTH_RE})\.?,?\s+(?:de\s+)?\d{{4}}"
    rf"|(?:{_MONTH_RE})\.?\s+\d{{1,2}},?\s+\d{{4}}"
    r"|\d{4}(?:[/.]|\s?[年년]\s?)\d{1,2}(?:[/.]|\s?[月월]\s?)\d{1,2}[日일]?)"
    r"(?:[\sT,à@|–-]*(?:at|um|a las|à)?\s*\d{1,2}[:h.]\d{2}(?::\d{2})?"
    r"\s*(?:[ap]\.?m\.?|h|uhr|utc|gmt|cet|cest|et|[+-]\d{2}:?\d{2})?)?\.?$",
    _I,
)

_TIDY_LOWER = word_set(
    "of the and de la le les du des der die das und el los las y en for on in at a an"
)
_ACRONYMS = word_set(
    "AFP AP UPI DPA EFE ANSA RFI ORF ARD ZDF RTL BFM RTE TVE RTVE NOS CBS NBC CNN BBC NPR "
    "SVT TASS ABC PBS RAI SRF NHK KBS DW TV UK US USA EU UN NATO"
)


@dataclass
class Meta:
    """The source, author and date the dropped lines named (the first of each)."""

    source: str | None = None
    author: str | None = None
    published: dt.date | None = None


def is_bare_label(line: str) -> bool:
    """A source or date label with nothing after it: "Źródło:", "Published:"."""
    return line.endswith((":", "：")) and _BARE_LABEL.match(line) is not None


def attribution_kind(line: str, n_words: int, meta: Meta) -> str | None:
    """A "SOURCE: ..." line (or "with AFP") or a byline; the name goes to `meta`."""
    source = _SOURCE.match(line) or _WITH_AGENCY.match(line)
    if source and count_words(source.group("name")) <= 8:
        meta.source = meta.source or _tidy_name(source.group("name"))
        return "source"
    if n_words <= 14 and not ends_sentence(line):
        byline = _BYLINE.match(line)
        if byline and count_words(byline.group("name")) <= 10:
            meta.author = meta.author or _tidy_name(byline.group("name"))
            return "byline"
    return None


def date_kind(line: str, n_words: int, meta: Meta) -> str | None:
    """A date line ("Published 3 May 2024", "2024-05-03 10:00", "Monday, Sep 10, 2012 |
    Updated 9:01 AM EDT"); the date goes to `meta`."""
    if (
        n_words <= 16
        and ((_DATE_LABEL.match(line) and any(c.isdigit() for c in line)) or _DATE_ONLY.match(line))
    ) or (n_words <= _STAMP_MAX_WORDS and _only_dates_and_times(line)):
        meta.published = meta.published or _parse_date(line)
        return "date"
    return None


# A page's time stamps, however many and in whatever order ("UPDATED 05/03/2013 at 11:00
# AM EDT Originally published 05/03/2013 at 10:20 AM EDT"): a line made of nothing but
# dates, times, time zones and the words that label them, with a date in it.
_STAMP_MAX_WORDS = 30
_STAMP_PART = re.compile(
    rf"\d{{4}}-\d{{2}}-\d{{2}}(?:T[\d:.]+Z?)?|\d{{1,2}}\s?[./]\s?\d{{1,2}}\s?[./]\s?\d{{2,4}}"
    rf"|\d{{1,2}}\s?[:h]\s?\d{{2}}(?::\d{{2}})?|\d{{1,4}}(?:st|nd|rd|th|er|º|\.)?"
    rf"|[ap]\.?m\.?|gmt|utc|edt|est|cdt|cst|mdt|mst|pdt|pst|bst|cet|cest|mez|mesz|et|pt|ct"
    rf"|{_MONTH_RE}|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|mon|tue|wed|thu|fri|sat|sun|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
    r"|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag"
    r"|published|updated|posted|originally|first|last|modified|at|on|le|à|am|um|el|a las"
    r"|publié|publiée|mis à jour|modifié|veröffentlicht|aktualisiert|zuletzt|stand"
    r"|publicado|actualizado|última actualización|de|del|[|,.:;/•·–—()\[\]-]+"
    rf"|(?<!\w)(?:{alternation(DATE_LABELS + STAMP_WORDS)})(?!\w)",
    _I,
)
_SPACE_RUN = re.compile(r"\s+")


def _only_dates_and_times(line: str) -> bool:
    if not any(c.isdigit() for c in line) or _parse_date(line) is None:
        return False
    return not _SPACE_RUN.sub("", _STAMP_PART.sub(" ", line.lower()))


def _tidy_name(name: str) -> str:
    """'FRENCH PRESS TV' -> 'French Press TV'; names in normal case are kept."""
    name = name.strip(" \t-–—|,;:()[]")
    letters = [c for c in name if c.isalpha()]
    if not letters or not all(c.isupper() for c in letters):
        return name
    words_out = []
    for index, word in enumerate(name.split()):
        core = re.sub(r"\W", "", word)
        if (
            core in _ACRONYMS
            or (len(core) <= 3 and not re.search(r"[AEIOUY]", core))
            or (len(core) <= 4 and len(name.split()) == 1)  # an agency: "AA", "ТАСС", "WAM"
        ):
            words_out.append(word)
        elif index > 0 and core.lower() in _TIDY_LOWER:
            words_out.append(word.lower())
        else:
            words_out.append(word[:1] + word[1:].lower())
    return " ".join(words_out)


def _parse_date(line: str) -> dt.date | None:
    try:
        if match := _NUMERIC_DATE.search(line):
            if match.group(1):
                return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            if match.group(4):
                return dt.date(int(match.group(6)), int(match.group(5)), int(match.group(4)))
            return dt.date(int(match.group(7)), int(match.group(8)), int(match.group(9)))
        if match := _DAY_MONTH_YEAR.search(line):
            month = _MONTHS[_month_key(match.group(2))]
            return dt.date(int(match.group(3)), month, int(match.group(1)))
        if match := _MONTH_DAY_YEAR.search(line):
            month = _MONTHS[_month_key(match.group(1))]
            return dt.date(int(match.group(3)), month, int(match.group(2)))
    except (ValueError, KeyError):
        return None
    return None


def _month_key(name: str) -> str:
    return " ".join(name.lower().split())
