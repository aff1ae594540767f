"""Filter expressions: which items a subscription posts, and which ones ping a role.

    person:"Ilhan Omar" or (title matches "\\bNATO\\b" and not category:sport)

Grammar (keywords and field names in any case; values in "double" or 'single' quotes, or
bare words; inside quotes \\" is a quote and every other backslash stays as written):

    expression := or_expr
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := unary ("and" unary)*
    unary      := "not" unary | "(" expression ")" | test
    test       := FIELD (":" | "contains" | "=" | "matches") value

Comparisons ignore case. `matches` takes a regular expression run by RE2 (linear time,
no backreferences or lookaround; "(?-i)" at its start makes it case-sensitive). A field
with several values (category, entity, person, place, organization) passes when one of
them does. No discord import: the cogs parse with `parse`, the feeds package evaluates.

Evaluation is three-valued: a field not known yet (the summary, the language and the
entities before the item is summarized) is None, and a test on it is "unknown", so the
feed's poll can drop what is already certain to fail and leave the rest to delivery time.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import re2

from bot.errors import InputError
from bot.feeds.rows import StoredItem
from bot.ingest.feeds import FeedItem, html_to_text
from bot.models import Summary

log = logging.getLogger("precis.feeds")

MAX_EXPRESSION = 2000  # characters: a filter is a sentence, not a document
MAX_TESTS = 64
MAX_DEPTH = 32  # nested parentheses and "not"s
MAX_PATTERN = 500  # characters of one regular expression
RE2_MAX_MEM = 4 << 20  # bytes RE2 may use for one compiled pattern

TEXT_FIELDS = ("title", "summary", "text", "author", "link", "language")
LIST_FIELDS = ("category", "entity", "person", "place", "organization")
FIELDS = TEXT_FIELDS + LIST_FIELDS
OPERATORS = {":": "contains", "contains": "contains", "=": "=", "matches": "matches"}
KEYWORDS = ("and", "or", "not", "contains", "matches")

Fields = Mapping[str, Sequence[str] | None]  # field -> its values; None: not known yet


class FilterError(InputError):
    """A filter expression that cannot be used; the message names where and why."""

    def __init__(self, position: int, problem: str) -> None:
        super().__init__(f"at character {position + 1}: {problem}")
        self.position = position
        self.problem = problem


@dataclass(frozen=True)
class Test:
    field: str
    op: str  # contains | = | matches
    value: str
    source: str  # as the user wrote it (quoted in "which clause failed")
    pattern: re2._Regexp | None = None

    def evaluate(self, fields: Fields) -> bool | None:
        values = fields.get(self.field)
        if values is None:
            return None
        return any(self._one(v) for v in values if v)

    def _one(self, value: str) -> bool:
        if self.pattern is not None:
            return self.pattern.search(value) is not None
        if self.op == "=":
            return value.strip().casefold() == self.value.casefold()
        return self.value.casefold() in value.casefold()


@dataclass(frozen=True)
class Not:
    child: Node
    source: str

    def evaluate(self, fields: Fields) -> bool | None:
        value = self.child.evaluate(fields)
        return None if value is None else not value


@dataclass(frozen=True)
class Both:
    """`and` (all=True) or `or` (all=False) over two or more parts, Kleene logic."""

    parts: tuple[Node, ...]
    all: bool
    source: str

    def evaluate(self, fields: Fields) -> bool | None:
        unknown = False
        for part in self.parts:
            value = part.evaluate(fields)
            if value is None:
                unknown = True
            elif value is not self.all:
                return value
        return None if unknown else self.all


Node = Test | Not | Both


@dataclass(frozen=True)
class Filter:
    """A parsed expression: `evaluate` says True, False or None (not known yet)."""

    root: Node
    source: str

    def evaluate(self, fields: Fields) -> bool | None:
        return self.root.evaluate(fields)

    def failing_clause(self, fields: Fields) -> str:
        """The clause that made the expression false (for "filtered by …")."""
        return _failing(self.root, fields)


def _failing(node: Node, fields: Fields) -> str:
    if isinstance(node, Both) and node.all:
        for part in node.parts:
            if part.evaluate(fields) is False:
                return _failing(part, fields)
    return node.source


def parse(expression: str) -> Filter:
    """Parse (and check) an expression; raises `FilterError` naming the position."""
    if len(expression) > MAX_EXPRESSION:
        raise FilterError(
            MAX_EXPRESSION,
            f"the expression is {len(expression):,} characters long; "
            f"a filter may have at most {MAX_EXPRESSION:,}",
        )
    parser = _Parser(expression)
    root = parser.expression(0)
    if parser.peek() is not None:
        token = parser.peek()
        assert token is not None
        raise FilterError(token.start, f"expected 'and', 'or' or the end, not {token.text!r}")
    return Filter(root, expression.strip())


@dataclass(frozen=True)
class _Token:
    kind: str  # word | string | symbol
    text: str  # the value (a string's content without its quotes)
    start: int
    end: int

    def keyword(self) -> str | None:
        lowered = self.text.lower()
        return lowered if self.kind == "word" and lowered in KEYWORDS else None


_SYMBOLS = "():="
_WORD_STOP = set(_SYMBOLS) | {'"', "'"}


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in _SYMBOLS:
            out.append(_Token("symbol", ch, i, i + 1))
            i += 1
        elif ch in "\"'":
            out.append(_string(text, i))
            i = out[-1].end
        else:
            start = i
            while i < len(text) and not text[i].isspace() and text[i] not in _WORD_STOP:
                i += 1
            out.append(_Token("word", text[start:i], start, i))
    return out


def _string(text: str, start: int) -> _Token:
    quote = text[start]
    chars: list[str] = []
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] == quote:
            chars.append(quote)
            i += 2
        elif ch == quote:
            return _Token("string", "".join(chars), start, i + 1)
        else:
            chars.append(ch)
            i += 1
    raise FilterError(start, f"this quote ({quote}) is never closed")


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.at = 0
        self.tests = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def _end(self) -> int:
        return len(self.text.rstrip())

    def _source(self, start: int) -> str:
        return self.text[start : self.tokens[self.at - 1].end].strip()

    def expression(self, depth: int) -> Node:
        return self._chain("or", self._and_expr, depth)

    def _and_expr(self, depth: int) -> Node:
        return self._chain("and", self._unary, depth)

    def _chain(self, word: str, part: object, depth: int) -> Node:
        first = self.peek()
        parts = [part(depth)]  # type: ignore[operator]
        while (token := self.peek()) is not None and token.keyword() == word:
            self.take()
            if self.peek() is None:
                raise FilterError(self._end(), f"expected a test after '{word}'")
            parts.append(part(depth))  # type: ignore[operator]
        if len(parts) == 1:
            return parts[0]  # type: ignore[no-any-return]
        assert first is not None
        return Both(tuple(parts), word == "and", self._source(first.start))

    def _unary(self, depth: int) -> Node:
        if depth > MAX_DEPTH:
            token = self.peek()
            raise FilterError(token.start if token else self._end(),
                              f"more than {MAX_DEPTH} nested parentheses or 'not's")  # fmt: skip
        token = self.peek()
        if token is None:
            raise FilterError(self._end(), "expected a test such as title:word")
        if token.keyword() == "not":
            self.take()
            if self.peek() is None:
                raise FilterError(self._end(), "expected a test after 'not'")
            child = self._unary(depth + 1)
            return Not(child, self._source(token.start))
        if token.kind == "symbol" and token.text == "(":
            self.take()
            inner = self.expression(depth + 1)
            close = self.peek()
            if close is None or close.text != ")" or close.kind != "symbol":
                where = close.start if close else self._end()
                raise FilterError(where, f"expected ')' to close the '(' at character "
                                  f"{token.start + 1}")  # fmt: skip
            self.take()
            return inner
        return self._test()

    def _test(self) -> Test:
        token = self.take()
        name = token.text.lower()
        if token.kind != "word" or name not in FIELDS:
            raise FilterError(token.start, f"expected a field ({', '.join(FIELDS)}), "
                              f"not {token.text!r}")  # fmt: skip
        op_token = self.peek()
        op = None
        if op_token is not None and op_token.kind != "string":
            op = OPERATORS.get(op_token.text.lower())
        if op is None or op_token is None:
            where = op_token.start if op_token else self._end()
            raise FilterError(where, f"expected ':', 'contains', '=' or 'matches' after "
                              f"'{token.text}'")  # fmt: skip
        self.take()
        value = self.peek()
        if value is None or value.kind == "symbol" or value.keyword() is not None:
            where = value.start if value else self._end()
            raise FilterError(where, f"expected a value after '{op_token.text}'")
        self.take()
        self.tests += 1
        if self.tests > MAX_TESTS:
            raise FilterError(token.start, f"a filter may have at most {MAX_TESTS} tests")
        pattern = _compile(value) if op == "matches" else None
        return Test(name, op, value.text, self._source(token.start), pattern)


def _compile(token: _Token) -> re2._Regexp:
    if len(token.text) > MAX_PATTERN:
        raise FilterError(token.start, f"this regular expression is {len(token.text)} "
                          f"characters long; at most {MAX_PATTERN} are allowed")  # fmt: skip
    options = re2.Options()
    options.case_sensitive = False
    options.max_mem = RE2_MAX_MEM
    options.log_errors = False
    try:
        return re2.compile(token.text, options)
    except re2.error as exc:
        why = exc.args[0] if exc.args else exc
        why = why.decode("utf-8", "replace") if isinstance(why, bytes) else str(why)
        raise FilterError(token.start, f"bad regular expression: {why}") from None


def keywords_expression(include: Iterable[str], exclude: Iterable[str]) -> str | None:
    """Yesterday's keywords as an expression: any include word in the title or the
    item's text, and no exclude word (None when there are none)."""

    def anyof(words: list[str]) -> str:
        tests = [f"{field}:{_quote(w)}" for w in words for field in ("title", "text")]
        return " or ".join(tests)

    inc = [w.strip() for w in include if w.strip()]
    exc = [w.strip() for w in exclude if w.strip()]
    parts = []
    if inc:
        parts.append(f"({anyof(inc)})" if exc else anyof(inc))
    if exc:
        parts.append(f"not ({anyof(exc)})")
    return " and ".join(parts) or None


def combined(*expressions: str | None) -> str | None:
    """Expressions that must all hold, as one (checked: a bad one raises `FilterError`)."""
    given = [e.strip() for e in expressions if e and e.strip()]
    for expression in given:
        parse(expression)
    if len(given) < 2:
        return given[0] if given else None
    return " and ".join(f"({e})" for e in given)


def _quote(value: str) -> str:
    return '"' + value.replace('"', '\\"') + '"'


@functools.lru_cache(maxsize=512)
def compiled(expression: str | None) -> Filter | None:
    """A stored expression, parsed once (it was checked when set: a stored one that no
    longer parses, after a change of the grammar, filters nothing and is logged)."""
    if not expression or not expression.strip():
        return None
    try:
        return parse(expression)
    except FilterError as exc:
        log.warning("a stored filter no longer parses (%s): ignored", exc)
        return None


def item_fields(
    title: str | None,
    text: str,
    author: str | None,
    link: str | None,
    categories: Sequence[str],
) -> dict[str, list[str] | None]:
    """What the feed says of an item; the summary's fields are unknown (None)."""
    return {
        "title": [title or ""],
        "text": [text],
        "author": [author or ""],
        "link": [link or ""],
        "category": list(categories),
        "summary": None,
        "language": None,
        "entity": None,
        "person": None,
        "place": None,
        "organization": None,
    }


def with_summary(
    fields: Mapping[str, list[str] | None], summary: Summary
) -> dict[str, list[str] | None]:
    """The fields once the item is summarized: the summary, its language, its entities."""
    kinds: dict[str, list[str]] = {"person": [], "place": [], "organization": []}
    for entity in summary.entities:
        kinds.get(entity.type, []).append(entity.text)
    out = dict(fields)
    if not (out.get("title") or [""])[0]:
        out["title"] = [summary.title or ""]
    out.update(
        summary=[" ".join(summary.summary)],
        language=[summary.language],
        entity=[e.text for e in summary.entities],
        **kinds,
    )
    return out


def poll_verdicts(expression: str | None, batch: Sequence[FeedItem]) -> list[str | None]:
    """For each item, None when it may be posted (it passes, or the answer needs its
    summary), else the clause that already fails on what the feed says."""
    expr = compiled(expression)
    if expr is None:
        return [None] * len(batch)
    out: list[str | None] = []
    for it in batch:
        fields = item_fields(it.title, it.text, it.author, it.link, it.categories)
        out.append(expr.failing_clause(fields) if expr.evaluate(fields) is False else None)
    return out


async def judge(
    filter: str | None, mention_role_id: int | None, mention_when: str | None,
    item: StoredItem, summary: Summary,
) -> tuple[str | None, int | None]:
    """At delivery, once the item is summarized: the clause of the filter that fails
    (None: post it), and the role to mention (None: nobody)."""
    expr = compiled(filter)
    when = compiled(mention_when)
    if expr is None and (mention_role_id is None or not mention_when):
        return None, mention_role_id  # nothing to evaluate: no filter, every item pings
    # The item's text may be megabytes of HTML: made plain off the event loop.
    text = await asyncio.to_thread(html_to_text, item.content_html or "")
    fields = with_summary(
        item_fields(item.title, text, item.author, item.link, item.categories), summary
    )
    if expr is not None and expr.evaluate(fields) is False:
        return expr.failing_clause(fields), None
    if mention_role_id is None or (mention_when and when is None):
        return None, None  # a stored condition that no longer parses pings nobody
    return None, mention_role_id if when is None or when.evaluate(fields) else None
