"""`precis`: the command line — run the bot, or summarize without Discord.

precis summarize SOURCE [--sentences N] [--algorithm NAME] [--format text|markdown|json]
precis batch [--sentences N] [--with-text] [--workers N] < in.jsonl > out.jsonl

Exit codes: 0 done; 1 the input could not be summarized (for `batch`: at least one line
failed, and its output line says why) or the settings are invalid; 2 a bad command line
(an unknown option or algorithm).
precis stories [--window-hours H] < items.jsonl > stories.jsonl
precis algorithms
precis run
precis worker      (the feeds only, no gateway: several share one PostgreSQL database)
precis health [--web]
precis migrate-db --from sqlite+aiosqlite:///data/precis.sqlite3 --to postgresql+asyncpg://…
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot import __version__
from bot.errors import EmptyInput, PrecisError, TooLarge
from bot.options import (
    ALGORITHMS,
    DEFAULT_ALGORITHM,
    DEFAULT_SENTENCES,
    SENTENCES_MAX,
    SENTENCES_MIN,
    Options,
    resolve_options,
)
from config.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:  # the engine is imported when a command needs it (batch starts first)
    from bot.pipeline import Source
    from bot.workers import WorkerPool

log = logging.getLogger("precis.cli")


def _source_from_argument(arg: str, settings: Settings) -> Source:
    from bot.pipeline import FileSource, url_source

    if arg == "-":
        data = sys.stdin.buffer.read(settings.max_file_bytes + 1)
        if not data.strip():
            raise EmptyInput("Standard input was empty: there is nothing to summarize.")
        _check_size(len(data), settings.max_file_bytes, "standard input")
        return FileSource(data=data, name=None)
    if "://" in arg:
        return url_source(arg)
    path = Path(arg)
    if path.is_dir():
        raise PrecisError(f"{arg} is a directory: give one file, a http(s) link, or - for stdin.")
    if not path.is_file():
        raise PrecisError(f"No such file: {arg} (give a file, a http(s) link, or - for stdin).")
    _check_size(path.stat().st_size, settings.max_file_bytes, path.name)
    return FileSource(data=path.read_bytes(), name=path.name)


def _check_size(size: int, limit: int, what: str) -> None:
    if size > limit:
        raise TooLarge(
            f"{what} is larger than the {limit / (1024 * 1024):.0f} MB limit "
            "(MAX_FILE_BYTES); summarize a smaller file."
        )


def _options(args: argparse.Namespace, settings: Settings) -> Options:
    return resolve_options(
        args.sentences,
        default_sentences=settings.default_sentences,
        algorithm=args.algorithm or settings.algorithm,
        language=getattr(args, "language", None),
    )


async def _summarize(args: argparse.Namespace, settings: Settings, pool: WorkerPool) -> int:
    from bot.ingest.fetch import FetchLimits  # aiohttp: imported only when needed
    from bot.pipeline import summarize_source
    from bot.render import render

    source = _source_from_argument(args.source, settings)
    _, summary = await summarize_source(
        source,
        _options(args, settings),
        limits=FetchLimits.from_settings(settings),
        max_file_bytes=settings.max_file_bytes,
        executor=pool,
    )
    sys.stdout.write(render(summary, args.format))
    return 0


def _pool(args: argparse.Namespace, settings: Settings, workers: int) -> WorkerPool:
    """Worker processes with the summary budget: a file that is too complex is killed
    and refused, as in the bot, instead of holding the terminal for hours."""
    from bot.workers import Budget, WorkerPool

    budget = Budget(args.timeout or settings.summary_timeout, settings.summary_memory_mb or None)
    return WorkerPool(max(1, workers), budget)


def _run_summarize(args: argparse.Namespace, settings: Settings) -> int:
    pool = _pool(args, settings, 1)
    try:
        return asyncio.run(_summarize(args, settings, pool))
    finally:
        pool.close()


async def _batch(args: argparse.Namespace, settings: Settings, pool: WorkerPool) -> int:
    from bot.batch import Batch, BatchOptions
    from bot.ingest.fetch import FetchLimits  # aiohttp: imported only when needed

    options = BatchOptions(_options(args, settings), args.with_text, settings.max_file_bytes)
    batch = Batch(options, pool, FetchLimits.from_settings(settings))
    failures = await batch.run(sys.stdin.buffer, sys.stdout)
    if failures:
        print(f"precis: {failures} line(s) could not be summarized", file=sys.stderr)
        return 1
    return 0


def _run_batch(args: argparse.Namespace, settings: Settings) -> int:
    # Each chunk of lines, then each line of a chunk that overran, gets the summary budget.
    pool = _pool(args, settings, args.workers)
    try:
        return asyncio.run(_batch(args, settings, pool))
    finally:
        pool.close()


def _run_stories(args: argparse.Namespace, settings: Settings) -> int:
    from bot.nlp.stories import GroupingParams
    from bot.stories import run_budgeted

    if not args.window_hours > 0:
        raise ValueError("--window-hours must be a positive number of hours.")
    params = GroupingParams(window_seconds=args.window_hours * 3600)
    # Each line is analysed in a worker process with the summary budget, as in `batch`.
    pool = _pool(args, settings, args.workers)
    try:
        failures = asyncio.run(
            run_budgeted(sys.stdin.buffer, sys.stdout, pool, settings.max_file_bytes, params)
        )
    finally:
        pool.close()
    if failures:
        print(f"precis: {failures} line(s) could not be grouped", file=sys.stderr)
        return 1
    return 0


def _algorithms() -> int:
    for name in ALGORITHMS:
        print(f"{name}{'  (default)' if name == DEFAULT_ALGORITHM else ''}")
    return 0


def _run(settings: Settings) -> int:
    from bot.discord_adapter.client import run_bot

    return run_bot(settings)


def _worker(settings: Settings) -> int:
    from bot.discord_adapter.worker import run_worker

    return run_worker(settings)


async def _health(settings: Settings, web: bool) -> list[str]:
    """What is wrong, one phrase each (empty: healthy). The database URL is never shown:
    it may hold a password."""
    from bot.feeds.database import current_revision, head_revision

    problems: list[str] = []
    try:
        revision = await asyncio.wait_for(current_revision(settings.database_url), 10)
        head = head_revision()
        if revision != head:  # Précis migrates it when it starts
            problems.append(f"database at revision {revision}, this version needs {head}")
    except Exception as exc:  # any failure to reach it is the answer
        problems.append(f"database unreachable: {_one_line(exc, settings)}")
    if web:
        import aiohttp

        url = f"http://127.0.0.1:{settings.web_port}/healthz"
        try:
            timeout = aiohttp.ClientTimeout(total=5)
            async with aiohttp.ClientSession(timeout=timeout) as http, http.get(url) as reply:
                if reply.status != 200:
                    problems.append(f"{url} answered {reply.status}")
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            problems.append(f"{url} unreachable: {type(exc).__name__}")
    return problems


def _one_line(exc: BaseException, settings: Settings) -> str:
    cause = getattr(exc, "orig", None) or exc  # SQLAlchemy's wrapper quotes the SQL
    text = (str(cause).strip().splitlines() or [""])[0][:300]
    from sqlalchemy.engine import make_url

    try:
        password = make_url(settings.database_url).password
    except Exception:
        password = None
    if password:
        text = text.replace(str(password), "***")
    return f"{type(cause).__name__}: {text}" if text else type(cause).__name__


def _run_health(args: argparse.Namespace, settings: Settings) -> int:
    problems = asyncio.run(_health(settings, args.web))
    if problems:
        print("precis health: " + "; ".join(problems), file=sys.stderr)
        return 1
    print("ok")
    return 0


def _migrate_db(args: argparse.Namespace) -> int:
    from bot.feeds.copydb import copy_database

    counts = asyncio.run(copy_database(args.source, args.target))
    print("copied " + ", ".join(f"{name} {n}" for name, n in counts.items()))
    return 0


def _timeout(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help=f"time budget of {what} (default: SUMMARY_TIMEOUT, 30)",
    )


def _stories_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    st = sub.add_parser(
        "stories",
        help='JSON lines {"id", "title", "text"|"html", "published"?} in, {"id", "story"} out',
    )
    st.add_argument(
        "-w",
        "--window-hours",
        type=float,
        default=36.0,
        metavar="H",
        help="an item joins a story seen within this many hours of it (default: 36)",
    )
    st.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, metavar="N",
        help="worker processes analysing lines (default: one per core)",
    )  # fmt: skip
    _timeout(st, "each line's analysis")


def _migrate_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    m = sub.add_parser(
        "migrate-db", help="copy the feeds database to another (empty) one, e.g. to PostgreSQL"
    )
    m.add_argument("--from", dest="source", required=True, metavar="URL", help="e.g. sqlite…")
    m.add_argument("--to", dest="target", required=True, metavar="URL", help="e.g. postgresql…")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="precis", description="Faithful extractive summaries of news articles."
    )
    parser.add_argument("--version", action="version", version=f"precis {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "-n",
            "--sentences",
            type=int,
            choices=range(SENTENCES_MIN, SENTENCES_MAX + 1),
            metavar=f"{SENTENCES_MIN}-{SENTENCES_MAX}",
            help=f"sentences in the summary (default: DEFAULT_SENTENCES, {DEFAULT_SENTENCES})",
        )
        p.add_argument("-a", "--algorithm", help="summarizer (see `precis algorithms`)")

    s = sub.add_parser("summarize", help="summarize a file, a link or stdin (-)")
    s.add_argument("source", help="a file path, an http(s) link, or - for standard input")
    common(s)
    s.add_argument("-f", "--format", choices=["text", "markdown", "json"], default="text")
    s.add_argument("-l", "--language", help="ISO 639-1 code to use instead of detecting it")
    _timeout(s, "the summary")

    b = sub.add_parser(
        "batch",
        help='JSON lines {"id", "text"|"html"|"url"} in, summaries out (exit 1 if a line failed)',
    )
    common(b)
    b.add_argument("--with-text", action="store_true", help="include the cleaned text")
    _timeout(b, "one line")
    b.add_argument(
        "-j",
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="worker processes (default: one per core, here %(default)s)",
    )

    _stories_parser(sub)
    sub.add_parser("algorithms", help="list the summarization algorithms")
    sub.add_parser("run", help="start the Discord bot")
    sub.add_parser(
        "worker", help="poll and post the feeds without a gateway (FEEDS_IN_GATEWAY=false)"
    )
    h = sub.add_parser(
        "health", help="exit 0 if the database is reachable and migrated (for health checks)"
    )
    h.add_argument("--web", action="store_true", help="and this process's /healthz answers 200")
    _migrate_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if args.command in ("batch", "summarize", "stories"):
        from bot.workers import boot

        boot()  # the workers' forkserver loads the engine while we get ready
    try:
        if args.command == "migrate-db":
            return _migrate_db(args)
        settings = load_settings()
        if args.command == "algorithms":
            return _algorithms()
        if args.command == "run":
            return _run(settings)
        if args.command == "worker":
            return _worker(settings)
        if args.command == "health":
            return _run_health(args, settings)
        if args.command == "batch":
            return _run_batch(args, settings)
        if args.command == "stories":
            return _run_stories(args, settings)
        return _run_summarize(args, settings)
    except (PrecisError, SettingsError) as exc:
        print(f"precis: error: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:  # e.g. an unknown algorithm name
        print(f"precis: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
