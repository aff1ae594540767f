"""`precis`: the command line — run the bot, or summarize without Discord.

precis summarize SOURCE [--sentences N] [--algorithm NAME] [--format text|markdown|json]
precis batch [--sentences N] [--with-text] < in.jsonl > out.jsonl
precis algorithms
precis run
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot import __version__
from bot.errors import EmptyInput, PrecisError, TooLarge
from bot.ingest.fetch import FetchLimits
from bot.pipeline import (
    FileSource,
    HtmlSource,
    Options,
    Source,
    TextSource,
    summarize_source,
    url_source,
)
from bot.render import render, to_json_dict
from config.settings import Settings, SettingsError, load_settings

log = logging.getLogger("precis.cli")

BATCH_WINDOW = 32  # lines in flight at once in `precis batch`


def _source_from_argument(arg: str, settings: Settings) -> Source:
    if arg == "-":
        data = sys.stdin.buffer.read(settings.max_file_bytes + 1)
        if not data.strip():
            raise EmptyInput("Standard input was empty: there is nothing to summarize.")
        _check_size(len(data), settings.max_file_bytes, "standard input")
        return FileSource(data=data, name=None)
    if "://" in arg:
        return url_source(arg)
    path = Path(arg)
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
    return Options(
        sentences=args.sentences or settings.default_sentences,
        algorithm=args.algorithm or settings.algorithm,
        language=getattr(args, "language", None),
    )


async def _summarize(args: argparse.Namespace, settings: Settings) -> int:
    source = _source_from_argument(args.source, settings)
    _, summary = await summarize_source(
        source,
        _options(args, settings),
        limits=FetchLimits.from_settings(settings),
        max_file_bytes=settings.max_file_bytes,
    )
    sys.stdout.write(render(summary, args.format))
    return 0


def _batch_source(row: dict[str, Any]) -> Source:
    if isinstance(row.get("html"), str):
        return HtmlSource(row["html"], url=row.get("url"))
    if isinstance(row.get("text"), str):
        return TextSource(row["text"])
    if isinstance(row.get("url"), str):
        return url_source(row["url"])
    raise PrecisError('Each line needs one of "text", "html" or "url".')


async def _batch_one(
    line_no: int, line: str, args: argparse.Namespace, settings: Settings
) -> dict[str, Any]:
    try:
        row = json.loads(line)
    except ValueError:
        return {"id": None, "error": f"line {line_no} is not valid JSON"}
    if not isinstance(row, dict):
        return {"id": None, "error": f"line {line_no} is not a JSON object"}
    row_id = row.get("id")
    options = _options(args, settings)
    if isinstance(row.get("language"), str):
        options = replace(options, language=row["language"])
    try:
        article, summary = await summarize_source(
            _batch_source(row),
            options,
            limits=FetchLimits.from_settings(settings),
            max_file_bytes=settings.max_file_bytes,
        )
    except (PrecisError, ValueError) as exc:
        return {"id": row_id, "error": str(exc)}
    except Exception as exc:  # one bad line never stops the batch
        log.exception("batch line %d failed", line_no)
        return {"id": row_id, "error": f"internal error: {type(exc).__name__}"}
    out = {"id": row_id, **to_json_dict(summary)}
    if args.with_text:
        out["text"] = article.body
    return out


async def _batch(args: argparse.Namespace, settings: Settings) -> int:
    failures = 0
    window: list[tuple[int, str]] = []

    async def flush() -> None:
        nonlocal failures
        results = await asyncio.gather(*(_batch_one(n, text, args, settings) for n, text in window))
        for result in results:
            failures += "error" in result
            sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        window.clear()

    for line_no, line in enumerate(sys.stdin, start=1):
        if line.strip():
            window.append((line_no, line))
        if len(window) >= BATCH_WINDOW:
            await flush()
    if window:
        await flush()
    if failures:
        print(f"precis: {failures} line(s) could not be summarized", file=sys.stderr)
    return 0


def _algorithms() -> int:
    from bot.nlp.summarize import ALGORITHMS, DEFAULT_ALGORITHM

    for name in ALGORITHMS:
        print(f"{name}{'  (default)' if name == DEFAULT_ALGORITHM else ''}")
    return 0


def _run(settings: Settings) -> int:
    from bot.client import run_bot

    return run_bot(settings)


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
            choices=range(1, 11),
            metavar="1-10",
            help="sentences in the summary (default: DEFAULT_SENTENCES, 3)",
        )
        p.add_argument("-a", "--algorithm", help="summarizer (see `precis algorithms`)")

    s = sub.add_parser("summarize", help="summarize a file, a link or stdin (-)")
    s.add_argument("source", help="a file path, an http(s) link, or - for standard input")
    common(s)
    s.add_argument("-f", "--format", choices=["text", "markdown", "json"], default="text")
    s.add_argument("-l", "--language", help="ISO 639-1 code to use instead of detecting it")

    b = sub.add_parser("batch", help='JSON lines {"id", "text"|"html"|"url"} in, summaries out')
    common(b)
    b.add_argument("--with-text", action="store_true", help="include the cleaned text")

    sub.add_parser("algorithms", help="list the summarization algorithms")
    sub.add_parser("run", help="start the Discord bot")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        settings = load_settings()
        if args.command == "algorithms":
            return _algorithms()
        if args.command == "run":
            return _run(settings)
        if args.command == "batch":
            return asyncio.run(_batch(args, settings))
        return asyncio.run(_summarize(args, settings))
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
