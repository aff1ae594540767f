"""`precis stories`: JSON lines of items in, the story of each out.

Each input line is `{"id", "title", "text"|"html", "language"?, "published"?, "source"?}`,
in any order. Every item is analysed by the same pipeline as a summary (language,
summary sentences, key entities), then the items are grouped in `published` order (the
ids' order for items without a date, which come first) by the same online rule the bot
uses (bot/nlp/stories.py), and one line `{"id", "story"}` is written per input line, in
the input's order; a line that cannot be read or analysed gets `{"id", "error"}` and the
others go on.

Analysing a line is CPU work on untrusted input: from the command line (`run_budgeted`)
each line is analysed in a worker process with the summary budget (bot/workers.py), so
a hostile line is killed and gets an error line instead of wedging the run, and a line
over the size limit is refused without being held whole (bot/batch.py's reader). The
grouping itself runs in the main process: it is bounded by the index (≤ 2 ms an item).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import IO, Any

from bot.batch import read_lines
from bot.errors import NotAnArticle, PrecisError
from bot.models import Article
from bot.nlp.entities import extract_entities
from bot.nlp.language import detect_language
from bot.nlp.sentences import split_sentences
from bot.nlp.stories import GroupingParams, StoryIndex
from bot.nlp.story_features import StoryFeatures, story_features
from bot.options import Options
from bot.pipeline import HtmlSource, analyse, load_local
from bot.workers import WorkerPool

log = logging.getLogger("precis.stories")


@dataclass(frozen=True)
class StoryItem:
    id: str
    time: float | None
    features: StoryFeatures


def parse_published(value: Any) -> float | None:
    """Seconds since the epoch of an ISO 8601 date or time (UTC when no zone is given)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise PrecisError('"published" must be an ISO 8601 date or time, as a string.')
    try:
        when = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise PrecisError(f'"published" is not an ISO 8601 date or time: {value[:40]!r}.') from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.timestamp()


def _article(row: dict[str, Any]) -> Article:
    title = row.get("title")
    if title is not None and not isinstance(title, str):
        raise PrecisError('"title" must be a string.')
    text, html = row.get("text"), row.get("html")
    if (text is None) == (html is None):
        raise PrecisError('Each line needs one of "text" or "html".')
    if not isinstance(text if html is None else html, str):
        raise PrecisError(f'"{"text" if html is None else "html"}" must be a string.')
    if html is not None:
        article = load_local(HtmlSource(html))
        return article.model_copy(update={"title": title or article.title})
    return Article(title=title, body=str(text))


def item_from_row(row: Any, options: Options = Options()) -> StoryItem:
    """An input line's item, analysed; PrecisError says why a line cannot be one."""
    if not isinstance(row, dict):
        raise PrecisError("the line is not a JSON object")
    row_id = row.get("id")
    if not isinstance(row_id, str | int) or isinstance(row_id, bool):
        raise PrecisError('Each line needs an "id" (a string or a number).')
    time = parse_published(row.get("published"))
    language = row.get("language")
    if isinstance(language, str) and language.strip():
        options = Options(options.sentences, options.algorithm, language.strip().lower()[:2])
    return StoryItem(str(row_id), time, features_of(_article(row), options))


def features_of(article: Article, options: Options) -> StoryFeatures:
    """The item's keys from its summary; a text too short to summarize (a feed item that
    is a title and a line) is an item all the same: its keys come from all of it."""
    try:
        summary = analyse(article, options)
    except NotAnArticle:
        text = article.body.strip()
        if not text and not article.title:
            raise
        language = options.language or detect_language(text or article.title or "")
        sentences = split_sentences(text, language) if text else []
        entities = extract_entities(sentences, language=language, title=article.title)
        return story_features(article.title, sentences, entities, language, text)
    return story_features(
        summary.title, summary.summary, summary.entities, summary.language, summary.opening
    )


def group(items: Iterable[StoryItem], params: GroupingParams | None = None) -> dict[str, str]:
    """id -> story, every item decided in time order (undated first, by id)."""
    index = StoryIndex(params or GroupingParams())
    ordered = sorted(items, key=lambda i: (i.time is not None, i.time or 0.0, i.id))
    return {item.id: index.assign(item.id, item.features, item.time) for item in ordered}


Row = tuple[Any, StoryItem | str]  # (id, item or error)


def analyse_line(line_no: int, line: bytes | None, max_mb: float = 0) -> Row:
    """One input line (None: over the size limit), analysed: a worker's job."""
    if line is None:
        return None, f"line {line_no} is longer than the {max_mb:g} MB limit (MAX_FILE_BYTES)"
    try:
        row = json.loads(line)
    except (ValueError, RecursionError):
        return None, f"line {line_no} is not valid JSON"
    row_id = row.get("id") if isinstance(row, dict) else None
    try:
        return row_id, item_from_row(row)
    except (PrecisError, ValueError) as exc:
        return row_id, f"line {line_no}: {exc}"
    except Exception as exc:  # one bad line never stops the run
        log.error("stories line %d failed: %s", line_no, type(exc).__name__, exc_info=exc)
        return row_id, f"line {line_no}: internal error: {type(exc).__name__}"


def _read(stream: IO[bytes]) -> list[Row]:
    """(id, item or error) for each non-blank line, in this process (no budget)."""
    return [analyse_line(n, line) for n, line in enumerate(stream, 1) if line.strip()]


def write(rows: list[Row], out: IO[str], params: GroupingParams | None = None) -> int:
    """Group the analysed lines and write one output line each; the number that failed."""
    stories = group((r for _, r in rows if isinstance(r, StoryItem)), params)
    failures = 0
    for row_id, result in rows:
        if isinstance(result, StoryItem):
            line = {"id": row_id, "story": stories[result.id]}
        else:
            failures += 1
            line = {"id": row_id, "error": result}
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
    out.flush()
    return failures


def run(stream: IO[bytes], out: IO[str], params: GroupingParams | None = None) -> int:
    """Group every line of `stream` to `out` (analysed here, without a budget: for trusted
    input, tests and benchmarks); the number of lines that failed."""
    return write(_read(stream), out, params)


async def run_budgeted(
    stream: IO[bytes], out: IO[str], pool: WorkerPool, max_line_bytes: int,
    params: GroupingParams | None = None,
) -> int:  # fmt: skip
    """`run`, each line analysed in a worker process within the pool's budget: a line
    over it gets an error line. At most a few lines per worker are read ahead."""
    rows: list[Row] = []
    ahead = max(2, pool.size * 2)
    max_mb = max_line_bytes / (1024 * 1024)
    lines = read_lines(stream, max_line_bytes)
    while True:
        batch = list(itertools.islice(lines, ahead))
        if not batch:
            break
        jobs = [_budgeted(pool, n, line, max_mb) for n, line in batch]
        rows.extend(await asyncio.gather(*jobs))
    return write(rows, out, params)


async def _budgeted(pool: WorkerPool, line_no: int, line: bytes | None, max_mb: float) -> Row:
    try:
        return await pool.run(partial(analyse_line, line_no, line, max_mb))
    except PrecisError as exc:  # over the time or memory budget: killed
        return None, f"line {line_no}: {exc}"
