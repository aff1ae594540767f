"""Filter expressions: the parser on good and bad input, the evaluation (three-valued),
and the bounds that keep user-written expressions and patterns harmless."""

from __future__ import annotations

import time

import pytest

from bot.feeds.filters import FilterError, keywords_expression, parse

ITEM: dict[str, list[str] | None] = {
    "title": ["NATO leaders meet in Vilnius"],
    "summary": ["The alliance agreed on a plan."],
    "text": ["Long article text about the summit and sport."],
    "author": ["Jane Roe"],
    "category": ["World", "Europe"],
    "link": ["https://news.example/world/nato"],
    "language": ["en"],
    "entity": ["Ilhan Omar", "Vilnius", "NATO"],
    "person": ["Ilhan Omar"],
    "place": ["Vilnius"],
    "organization": ["NATO"],
}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('person:"Ilhan Omar"', True),
        ('person:"ilhan omar"', True),  # case-insensitive
        ("person contains omar", True),
        ("person = omar", False),  # = is the whole value
        ('person = "Ilhan Omar"', True),
        (r'title matches "\bNATO\b"', True),
        (r'title matches "\bNAT\b"', False),
        (r'title matches "(?-i)\bnato\b"', False),  # (?-i): case-sensitive
        ("not category:sport", True),
        ("category = world", True),
        ("category:sport or place:vilnius", True),
        ("category:sport and place:vilnius", False),
        ('person:"Ilhan Omar" or (title matches "\\bNATO\\b" and not category:sport)', True),
        ("NOT (language = fr) AND link:news.example", True),
        ("language = en and organization:nato and author:'jane'", True),
        ("summary:alliance and text:summit", True),
        ('title:"say \\"hi\\""', False),
    ],
)
def test_evaluates(expression: str, expected: bool) -> None:
    assert parse(expression).evaluate(ITEM) is expected


@pytest.mark.parametrize(
    ("expression", "position", "problem"),
    [
        ("title contains", 15, "expected a value after 'contains'"),
        ("person:\"Ilhan Omar\" or title contains", 38, "expected a value after 'contains'"),
        ("titel:nato", 1, "expected a field"),
        ("title nato", 7, "expected ':', 'contains', '=' or 'matches' after 'title'"),
        ("(title:a or text:b", 19, "expected ')' to close the '(' at character 1"),
        ("title:a text:b", 9, "expected 'and', 'or' or the end"),
        ("title:a and", 12, "expected a test after 'and'"),
        ("not", 4, "expected a test after 'not'"),
        ("", 1, "expected a test"),
        ('title:"open', 7, "never closed"),
        ('title matches "(unclosed"', 15, "bad regular expression"),
        (r'title matches "(a)\1"', 15, "bad regular expression"),  # no backreferences in RE2
        ("title:and", 7, "expected a value after ':'"),
    ],
)
def test_bad_expressions_name_the_position(expression: str, position: int, problem: str) -> None:
    with pytest.raises(FilterError) as caught:
        parse(expression)
    assert str(caught.value).startswith(f"at character {position}: ")
    assert problem in str(caught.value)


def test_a_10kb_expression_is_refused_at_once() -> None:
    big = " or ".join(f"title:word{i}" for i in range(800))
    assert len(big) > 10_000
    started = time.perf_counter()
    with pytest.raises(FilterError, match="at most 2,000"):
        parse(big)
    assert time.perf_counter() - started < 0.05


def test_too_many_tests_and_too_deep_nesting_are_refused() -> None:
    with pytest.raises(FilterError, match="at most 64 tests"):
        parse(" or ".join(f"title:w{i}" for i in range(65)))
    with pytest.raises(FilterError, match="nested"):
        parse("not " * 40 + "title:x")
    with pytest.raises(FilterError, match="at most 500"):
        parse(f'title matches "{"a" * 501}"')
    started = time.perf_counter()  # short to write, huge to compile: RE2's memory bound
    with pytest.raises(FilterError, match="at character 15: bad regular expression: pattern "
                       "too large"):  # fmt: skip
        parse(r'title matches "\p{L}{1000}x{1000}"')
    assert time.perf_counter() - started < 0.5


def test_catastrophic_backtracking_pattern_returns_in_milliseconds() -> None:
    expr = parse('text matches "(a+)+$"')
    hostile = {"text": ["a" * 50_000 + "!"]}
    started = time.perf_counter()
    assert expr.evaluate(hostile) is False
    assert expr.evaluate({"text": ["a" * 50_000]}) is True
    assert time.perf_counter() - started < 0.05


def test_unknown_fields_make_an_unknown_verdict_unless_decided() -> None:
    before_summary = {**ITEM, "summary": None, "language": None, "person": None}
    assert parse("person:omar").evaluate(before_summary) is None
    assert parse("person:omar and category:sport").evaluate(before_summary) is False
    assert parse("person:omar or category:world").evaluate(before_summary) is True
    assert parse("not language = en").evaluate(before_summary) is None


def test_failing_clause_names_the_part_that_failed() -> None:
    expr = parse('language = en and (title:"budget" or category:sport) and not person:omar')
    assert expr.failing_clause(ITEM) == 'title:"budget" or category:sport'
    expr = parse("title:nato and not person:omar")
    assert expr.failing_clause(ITEM) == "not person:omar"


def test_keywords_become_an_expression_that_means_the_same() -> None:
    assert keywords_expression([], []) is None
    expr = keywords_expression(["nato", 'say "hi"'], ["sport"])
    assert expr == ('(title:"nato" or text:"nato" or title:"say \\"hi\\"" or text:"say \\"hi\\"")'
                    ' and not (title:"sport" or text:"sport")')  # fmt: skip
    assert parse(expr).evaluate(ITEM) is False  # "sport" is in the text
    assert parse(keywords_expression(["summit"], [])).evaluate(ITEM) is True  # type: ignore[arg-type]


async def test_judge_at_delivery_uses_the_summary_and_its_entities() -> None:
    from bot.feeds.filters import judge
    from bot.feeds.rows import StoredItem
    from bot.models import Entity, SourceInfo, Stats, Summary

    item = StoredItem(id=1, feed_id=1, key="k", guid=None, link="https://x.example/a",
                      title="Vote tonight", published=None, author=None,
                      content_html="<p>The <b>vote</b> is tonight.</p>", categories=("Politics",))
    summary = Summary(
        title="Vote tonight", language="en", source=SourceInfo(name="X"),
        summary=["Ilhan Omar spoke in Minneapolis."],
        entities=[Entity(text="Ilhan Omar", type="person", count=2),
                  Entity(text="Minneapolis", type="place", count=1)],
        stats=Stats(words=10, sentences=1, summary_words=5, reduction=0.5), algorithm="x",
    )  # fmt: skip
    assert await judge('person:"ilhan omar" and category = politics', None, None,
                       item, summary) == (None, None)  # fmt: skip
    assert await judge("place:paris or language = fr", None, None, item, summary) == (
        "place:paris or language = fr", None)  # fmt: skip
    assert await judge(None, 55, "organization:nato", item, summary) == (None, None)
    assert await judge(None, 55, "place = minneapolis and text:vote", item, summary) == (None, 55)
    assert await judge(None, 55, None, item, summary) == (None, 55)
