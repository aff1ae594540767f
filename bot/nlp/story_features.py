"""What an item says about its story, as sets of keys the grouping index compares.

- names: the engine's entity keys (`Vocabulary.key`: a gazetteer entry, the same in every
  language — "Allemagne" and "Germany" — or the name without case, accents and
  inflection), and a person's surname on its own, so that "Emmanuel Macron" in one report
  meets "Macron" in another. The gazetteer's places are kept apart (`P:`): a country is
  shared by many stories and weighs less. A place it does not know is keyed as a name,
  since one report calls "Newport Beach" a place and the next an organization, and
  weighs as a place where the item calls it one (`places`).
- numbers: figures of the title, summary and opening ("6.1", "2013", "42"), in every
  language: where a report names its event's date, toll and sums (two reports of one
  story share them more often than its words);
- words: stems of the title and summary sentences without stop words, by language (a
  French stem never meets an English one).
- headline: those of its words that are in the title or the summary's first sentence,
  the words two copies of one report, or two outlets' versions of one wire story, share.
- marks: the consonant skeleton of each name's words, for reports in other languages,
  which spell a name their own way ("Kamchatka", "Kamtchatka", "Kamtschatka"; "Putin",
  "Poutine", "Путин"; "Zelensky", "Selenskyj"): each spelling is folded to a common
  transliteration, then only its consonants are kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.models import OPENING_CHARS, Entity
from bot.nlp.entity_lexicon import AGENCIES, ORG_WORDS, OTHER_WORDS, PLACE_WORDS
from bot.nlp.entity_nouns import common_nouns
from bot.nlp.entity_tokens import fold, strip_accents
from bot.nlp.entity_vocabulary import Vocabulary
from bot.nlp.stemming import stemmer_for, stop_words_for
from bot.nlp.tokens import sentence_words

_YEAR = re.compile(r"(?<!\d)(?:19[5-9]\d|20[0-4]\d)(?!\d)")
# A time of day ("06:58 EST", "05: 31 GMT"): a page's time stamp, shared by chance.
_CLOCK = re.compile(r"(?<![\w.,:])\d{1,2} ?: ?\d\d(?: ?: ?\d\d)?(?![\w])")
_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?![\w])")


_CYRILLIC = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    ("a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p",
     "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"),
    strict=True,
))  # fmt: skip
_CYRILLIC.update(і="i", ї="yi", є="ye", ґ="g")  # Ukrainian: "Іванів" is "Ivaniv"
# Spellings of one sound across languages, folded to one letter ("X": ch, sh, kh, tsch...)
_DIGRAPHS = re.compile(r"shch|tsch|sch|tch|ch|sh|kh|zh|ph|th|ck|qu|dj|dzh|[wzcqjyx]")
_DIGRAPH_OF = {
    "shch": "X", "tsch": "X", "sch": "X", "tch": "X", "ch": "X", "sh": "X", "kh": "X",
    "zh": "X", "ph": "f", "th": "t", "ck": "k", "qu": "k", "dj": "d", "dzh": "d",
    "w": "v", "z": "s", "c": "k", "q": "k", "j": "i", "y": "i", "x": "ks",
}  # fmt: skip
_NOT_SKELETON = re.compile(r"(?<=.)[aeiouh]")  # vowels (and h) after the first letter
_MIN_SKELETON = 3  # "Key" or "Ma" would meet too many other names
GENERIC_NAME_WORDS = PLACE_WORDS | ORG_WORDS | OTHER_WORDS  # "Peninsula", "University"
_LETTERS = re.compile(r"[^\W\d_]+")
# A capitalised word not opening its sentence (nor a quotation or a clause after a colon).
_INNER_CAPITAL = re.compile(r"(?<![.!?:\"«»“”]\s)(?<!^)\b([A-ZÀ-ÞА-ЯЁ][a-zß-ÿа-яё]{3,})\b")
_MAX_STORED = 2_000  # keys of one kind read back from the database
_GENERATION = re.compile(r"(?:Jr|Sr|II|III|IV)\.?$")  # a name's generation, no surname


@dataclass(frozen=True)
class StoryFeatures:
    language: str
    names: frozenset[str]  # "E:<key>" names, "P:<key>" places
    numbers: frozenset[str]  # "#<figure>"
    words: frozenset[str]  # "w:<language>:<stem>"
    lead: frozenset[str] = frozenset()  # the keys of its most salient person
    marks: frozenset[str] = frozenset()  # "X:<skeleton>": its names for other languages
    years: frozenset[str] = frozenset()  # every year the text names: reports of one
    # event name the same year, and two of the same kind of event rarely do
    places: frozenset[str] = frozenset()  # name keys ("E:N:…") this item calls places
    headline: frozenset[str] = frozenset()  # the words of title and lead (of `words`)

    def all_keys(self) -> Iterable[str]:
        yield from self.names
        yield from self.numbers
        yield from self.words
        yield from self.marks

    def to_json(self) -> dict[str, object]:
        """What the bot stores per delivered item to rebuild a channel's index."""
        return {
            "language": self.language, "names": sorted(self.names),
            "numbers": sorted(self.numbers), "words": sorted(self.words),
            "lead": sorted(self.lead), "years": sorted(self.years),
            "marks": sorted(self.marks), "places": sorted(self.places),
            "headline": sorted(self.headline),
        }  # fmt: skip

    @classmethod
    def from_json(cls, value: object) -> StoryFeatures | None:
        """The keys `to_json` stored; None when they are not that shape."""
        if not isinstance(value, dict):
            return None

        def keys(name: str) -> frozenset[str]:
            found = value.get(name)
            if not isinstance(found, list):
                return frozenset()
            return frozenset(str(k) for k in found[:_MAX_STORED] if isinstance(k, str))

        language = value.get("language")
        names, words = keys("names"), keys("words")
        # Stored before unknown places were keyed as names: "P:N:x" is now "E:N:x".
        legacy = frozenset("E:N:" + k[4:] for k in names if k.startswith("P:N:"))
        return cls(
            language=language if isinstance(language, str) else "und",
            names=frozenset(k for k in names if not k.startswith("P:N:")) | legacy,
            numbers=keys("numbers"), words=words,
            lead=keys("lead"), years=keys("years"), marks=keys("marks"),
            places=keys("places") | legacy,
            headline=keys("headline") & words,  # (each a word: its weight is the word's)
        )  # fmt: skip


def _entity_keys(entity: Entity, vocab: Vocabulary) -> set[str]:
    """A gazetteer place's key is a place key (`P:`); any other name's is a name key."""
    parts = entity.text.split()
    if entity.type == "person" and len(parts) > 2 and _GENERATION.match(parts[-1]):
        parts = parts[:-1]  # "Anthony LaCalamita III" is "Anthony LaCalamita"
    key = vocab.key(" ".join(parts))
    if key.startswith("N:the "):  # "The New York Times" is "New York Times"
        key = "N:" + key[6:]
    keys = {("P:" if entity.type == "place" and not key.startswith("N:") else "E:") + key}
    if entity.type == "person" and len(parts) > 1:
        keys.add("E:S:" + strip_accents(vocab.norm(parts[-1])))
    return keys


def _name_keys(
    entities: Sequence[Entity], vocab: Vocabulary
) -> tuple[set[str], set[str], set[str]]:
    """Every name's keys, those of the most salient person (the lead), and the name keys
    of places the gazetteer does not know (that no other entity of the item names)."""
    keys: set[str] = set()
    lead: set[str] = set()
    places: set[str] = set()
    others: set[str] = set()
    for entity in entities:
        if entity.type == "other":
            continue
        found = _entity_keys(entity, vocab)
        if entity.type == "person" and not lead:
            lead = found
        if entity.type == "place":
            places |= {k for k in found if k.startswith("E:")}
        else:
            others |= found
        keys |= found
    return keys, lead, places - others


def skeleton(word: str) -> str:
    """A word's consonants in a common transliteration: "Kamtschatka", "Kamtchatka" and
    "Kamchatka" -> "kmXtk"; "Poutine", "Putin", "Путин" -> "ptn"."""
    low = strip_accents(fold(word))
    if not low.isascii():
        low = "".join(_CYRILLIC.get(c, c) for c in low)
    letters = "".join(c for c in low if "a" <= c <= "z")
    folded = _DIGRAPHS.sub(lambda m: _DIGRAPH_OF[m.group()], letters)
    consonants = _NOT_SKELETON.sub("", folded)
    return "".join(c for i, c in enumerate(consonants) if i == 0 or c != consonants[i - 1])


def _marks(
    entities: Sequence[Entity], sentences: Sequence[str], vocab: Vocabulary, language: str
) -> set[str]:
    """The skeletons of the names' words: a key person's surname, every long word of the
    other key names but generic ones ("Peninsula"; not countries: their gazetteer key is
    already the same in every language), and every capitalised word inside the summary's
    sentences (a name the entity list left out), not a German common noun. A news
    agency's name is a credit, not the story's."""
    stop = stop_words_for(language)
    nouns, _ = common_nouns(language)
    words: list[str] = []
    for entity in entities:
        if entity.type == "other" or vocab.key(entity.text).startswith("C:"):
            continue
        parts = _LETTERS.findall(entity.text)
        words.extend(parts[-1:] if entity.type == "person" else parts)
    for sentence in sentences:
        words.extend(w for w in _INNER_CAPITAL.findall(sentence) if w not in nouns)
    found: set[str] = set()
    for word in words:
        low = fold(word)
        if len(word) < 4 or low in stop or low in GENERIC_NAME_WORDS or low in AGENCIES:
            continue
        for form in _base_forms(word, vocab):
            mark = skeleton(form)
            if len(mark) >= _MIN_SKELETON:
                found.add("X:" + mark)
    return found


def _base_forms(word: str, vocab: Vocabulary) -> tuple[str, ...]:
    """The forms of a name to mark: its lemma where the language has morphology
    ("Владимиром" -> "владимир"); in German the name and, for a genitive "-s", the name
    without it ("Putins Krieg")."""
    if vocab.morphology:
        return (vocab.norm(word),)
    if vocab.language == "de" and word.endswith("s") and len(word) > 4:
        return (word, word[:-1])
    return (word,)


def _numbers(texts: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for text in texts:
        for number in _NUMBER.findall(_CLOCK.sub(" ", text)):  # a page's time stamp: no figure
            figure = number.replace(",", ".")
            if len(figure) > 1:  # "3" is everywhere; "42" or "6.1" is not
                found.add("#" + figure)
    return found


def _words(texts: Iterable[str], language: str) -> set[str]:
    stem = stemmer_for(language)
    stop = stop_words_for(language)
    found: set[str] = set()
    for text in texts:
        for word in sentence_words(text):
            low = word.lower()
            if len(low) > 2 and low not in stop and not low[0].isdigit():
                found.add(f"w:{language}:{strip_accents(fold(stem(low)))}")
    return found


def story_features(
    title: str | None,
    summary: Sequence[str],
    entities: Sequence[Entity],
    language: str,
    body: str = "",
) -> StoryFeatures:
    """The keys of an item from what the engine made of it (a `Summary`'s fields; `body`
    the article's text, of which its opening counts)."""
    language = (language or "en").lower()[:2]
    texts = [title or "", *summary]
    opening = body[:OPENING_CHARS]
    vocab = Vocabulary(language)
    names, lead, places = _name_keys(entities, vocab)
    return StoryFeatures(
        language=language,
        names=frozenset(names),
        lead=frozenset(lead),
        numbers=frozenset(_numbers([*texts, opening])),
        words=frozenset(_words(texts, language)),
        years=frozenset(_YEAR.findall(f"{title or ''} {opening}")),
        marks=frozenset(_marks(entities, summary, vocab, language)),
        places=frozenset(places),
        headline=frozenset(_words([title or "", *summary[:1]], language)),
    )
