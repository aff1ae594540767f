"""Key entities of an article, found by rules that work in any language.

No model is needed: names are capitalised spans ("Lloyd Austin", "Bank of
England", "Unités de mobilisation populaire" stays out), kept only when the
text itself says they are names. Mentions are merged (surname into full name,
"U.S." into "United States", "l'Irak"/"d'Irak" into "Irak", an acronym into
the name it abbreviates), typed by votes and ranked by salience.

This module is the entry point; the rules live in flat sibling modules, each
importing only those listed before it (all compiled with mypyc: bot/compiled.py):

- `entity_lexicon`: the cue words; `entity_gazetteer`: the lists of known names;
- `entity_tokens`: a sentence's tokens, elided articles split off;
- `entity_vocabulary`: what the article's text says about its words;
- `entity_candidates`: capitalised spans; `entity_trim`: the name in a span;
- `entity_mentions`: mentions, their context votes and the groups they form;
- `entity_typing`: person, place, organization or other, and the name shown;
- `entity_ranking`: merging short names into long ones, and salience.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.models import Entity
from bot.nlp.entity_mentions import Group, find_mentions
from bot.nlp.entity_ranking import rank
from bot.nlp.entity_tokens import Tok, caseless_line, tokenize
from bot.nlp.entity_vocabulary import Vocabulary


def extract_entities(
    sentences: Sequence[str],
    *,
    language: str,
    title: str | None = None,
    limit: int = 10,
) -> list[Entity]:
    """The `limit` key entities of an article given as sentences, most salient first."""
    language = (language or "en").lower()[:2]
    vocab = Vocabulary(language)
    lines: list[tuple[int, list[Tok]]] = []
    if title:
        lines.append((-1, tokenize(title, language)))
    lines.extend((i, tokenize(s, language)) for i, s in enumerate(sentences))
    flags = [caseless_line(tokens) for _, tokens in lines]
    if title and not flags[0]:
        flags[0] = _title_case(lines[0][1], vocab)
    capitals = any(flags)
    for (index, tokens), caseless in zip(lines, flags, strict=True):
        if not caseless and index >= 0:
            vocab.learn(tokens, capitals)
    groups: dict[str, Group] = {}
    for (index, tokens), caseless in zip(lines, flags, strict=True):
        for mention in find_mentions(vocab, tokens, index, caseless):
            key = vocab.key(mention.text)
            group = groups.get(key)
            if group is None:
                group = groups[key] = Group(key)
            group.mentions.append(mention)
    return rank(groups, vocab, max(1, len(sentences)), limit)


def _title_case(tokens: list[Tok], vocab: Vocabulary) -> bool:
    """A headline in Title Case ("Three Cases of Plague Diagnosed in China"): every word
    but the small lowercase function words capitalised, which says nothing about which
    are names. (`caseless_line` counts the function words too, as a sentence must.)"""
    content = [t for t in tokens if t.alpha and not (t.text.islower() and t.text in vocab.stop)]
    titled = sum(1 for t in content if t.upper)
    return len(content) >= 3 and titled >= 0.85 * len(content)
