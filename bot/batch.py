"""`precis batch`: JSON lines in, one summary (or error) line out per input line, in order.

The CPU work runs in worker processes (bot/workers.py), one per core by default, forked
from a forkserver that has loaded the engine (the language model, stemmers and
gazetteers load once and are shared), each job within the summary budget: a chunk that
overruns is run again line by line, and a line that overruns alone gets an error line.
Lines travel to the workers in chunks, raw: a worker parses each line, summarizes it and
returns the finished output line, so the main process only reads, hands over and
writes. A line that names only a link cannot be summarized in a worker (the fetch is
I/O): the worker hands it back, the main process fetches it on its event loop and a
worker summarizes what came back. At most a few chunks are in flight, so memory stays
bounded however long the input; a line over the size limit is skipped without ever
being held whole.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import partial
from typing import IO, Any

from bot.errors import PrecisError, TooComplex
from bot.pipeline import (
    FileSource,
    HtmlSource,
    LocalSource,
    Options,
    TextSource,
    fetch_source,
    summarize_local,
    url_source,
)
from bot.render import to_json_dict
from bot.workers import WorkerPool

log = logging.getLogger("precis.batch")

CHUNK_LINES = 16  # lines handed to a worker at once
CHUNK_BYTES = 1 << 20  # ... or fewer, once they hold this much text


@dataclass(frozen=True)
class BatchOptions:
    options: Options
    with_text: bool = False
    max_line_bytes: int = 10 * 1024 * 1024


@dataclass(frozen=True)
class NeedsFetch:
    """A line whose source is a link: the main process fetches it, then a worker goes on."""

    row_id: Any
    url: str
    options: Options


Line = tuple[bool, str]  # (failed, the output line)
Result = Line | NeedsFetch


def _output(row_id: Any, **fields: Any) -> Line:
    return "error" in fields, json.dumps({"id": row_id, **fields}, ensure_ascii=False)


def _source(row: dict[str, Any]) -> LocalSource | str:
    """The row's source in hand, or the link to fetch."""
    given = [key for key in ("text", "html", "url") if row.get(key) is not None]
    bad = [key for key in given if not isinstance(row[key], str)]
    if bad:
        raise PrecisError(f'"{bad[0]}" must be a string.')
    if "text" in given and len(given) > 1:
        # "html" + "url" is a page and its address; "text" with either is ambiguous.
        raise PrecisError(f'Give one of "text", "html" or "url", not {" and ".join(given)}.')
    if "html" in given:
        return HtmlSource(row["html"], url=row.get("url"))
    if "text" in given:
        return TextSource(row["text"])
    if "url" in given:
        return url_source(row["url"]).url
    raise PrecisError('Each line needs one of "text", "html" or "url".')


def summarize_one(row_id: Any, source: LocalSource, options: Options, batch: BatchOptions) -> Line:
    try:
        article, summary = summarize_local(source, options, batch.max_line_bytes)
    except (PrecisError, ValueError) as exc:
        return _output(row_id, error=str(exc))
    except Exception as exc:  # one bad line never stops the batch
        log.error("batch line %r failed: %s", row_id, type(exc).__name__, exc_info=exc)
        return _output(row_id, error=f"internal error: {type(exc).__name__}")
    fields = to_json_dict(summary)
    if batch.with_text:
        fields["text"] = article.body
    return _output(row_id, **fields)


def _one_line(line_no: int, line: bytes, batch: BatchOptions) -> Result:
    try:
        row = json.loads(line)
    except ValueError:
        return _output(None, error=f"line {line_no} is not valid JSON")
    if not isinstance(row, dict):
        return _output(None, error=f"line {line_no} is not a JSON object")
    row = _scrub(row)
    row_id = row.get("id")
    options = batch.options
    if isinstance(row.get("language"), str):
        options = replace(options, language=row["language"])
    try:
        source = _source(row)
    except PrecisError as exc:
        return _output(row_id, error=str(exc))
    if isinstance(source, str):
        return NeedsFetch(row_id, source, options)
    return summarize_one(row_id, source, options, batch)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _scrub(value: Any) -> Any:
    """JSON may carry lone surrogates (a cut emoji): they become U+FFFD, so the line is
    summarized and its output can be written like any other."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_scrub(k): _scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def run_chunk(chunk: list[tuple[int, bytes | None]], batch: BatchOptions) -> list[Result]:
    """A worker's job: each line of the chunk, summarized (or an error line)."""
    limit = f"{batch.max_line_bytes / (1024 * 1024):.1f}".removesuffix(".0")
    return [
        _one_line(n, line, batch)
        if line is not None
        else _output(None, error=f"line {n} is longer than the {limit} MB limit (MAX_FILE_BYTES)")
        for n, line in chunk
    ]


def read_lines(stream: IO[bytes], limit: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) for each non-blank line; None for a line over `limit` bytes,
    which is skipped without ever being held whole in memory."""
    for line_no in itertools.count(1):
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            while (rest := stream.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass
            yield line_no, None
        elif line.strip():
            yield line_no, line


def chunks(lines: Iterator[tuple[int, bytes | None]]) -> Iterator[list[tuple[int, bytes | None]]]:
    chunk: list[tuple[int, bytes | None]] = []
    size = 0
    for item in lines:
        chunk.append(item)
        size += len(item[1] or b"")
        if len(chunk) >= CHUNK_LINES or size >= CHUNK_BYTES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


class Batch:
    def __init__(self, batch: BatchOptions, pool: WorkerPool, fetch_limits: Any) -> None:
        self.batch = batch
        self.pool = pool
        self.fetch_limits = fetch_limits
        self.failures = 0

    async def _in_worker(self, func: Any, *args: Any) -> Any:
        return await self.pool.run(partial(func, *args))

    async def _fetched(self, item: NeedsFetch) -> Line:
        try:
            fetched: FileSource = await fetch_source(item.url, self.fetch_limits)
        except PrecisError as exc:
            return _output(item.row_id, error=str(exc))
        line: Line = await self._in_worker(
            summarize_one, item.row_id, fetched, item.options, self.batch
        )
        return line

    async def _chunk(self, chunk: list[tuple[int, bytes | None]]) -> list[Line]:
        try:
            results: list[Result] = await self._in_worker(run_chunk, chunk, self.batch)
        except TooComplex:
            # Some line of the chunk is over the budget: each line again, on its own budget.
            results = [r for part in await asyncio.gather(*(self._alone(item) for item in chunk))
                       for r in part]  # fmt: skip
        return list(await asyncio.gather(*(
            self._fetched(r) if isinstance(r, NeedsFetch) else _constant(r) for r in results
        )))  # fmt: skip

    async def _alone(self, item: tuple[int, bytes | None]) -> list[Result]:
        try:
            results: list[Result] = await self._in_worker(run_chunk, [item], self.batch)
        except TooComplex as exc:
            return [_output(None, error=f"line {item[0]}: {exc}")]
        return results

    async def run(self, stream: IO[bytes], out: IO[str]) -> int:
        """Summarize every line of `stream` to `out`; the number of lines that failed."""
        in_flight = 2 * self.pool.size + 1
        pending: deque[asyncio.Task[list[Line]]] = deque()
        for chunk in chunks(read_lines(stream, self.batch.max_line_bytes)):
            pending.append(asyncio.create_task(self._chunk(chunk)))
            while len(pending) >= in_flight or (pending and pending[0].done()):
                self._write(await pending.popleft(), out)
        while pending:
            self._write(await pending.popleft(), out)
        out.flush()
        return self.failures

    def _write(self, lines: list[Line], out: IO[str]) -> None:
        for failed, line in lines:
            self.failures += failed
            out.write(line + "\n")


async def _constant(value: Line) -> Line:
    return value
