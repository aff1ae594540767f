"""The one pipeline every door calls: source -> Article -> Summary.

Loading a source may do I/O (fetching a link), so it is async; analysing an
article is pure CPU work, so it is a plain function that callers on an event
loop run in an executor (`summarize_source` does this when given one).

The fetcher (aiohttp), the HTML extractor (trafilatura, lxml) and the file
readers (charset detection, PDF) are imported when a source first needs them:
pasted text, the commonest input, then never pays for them (about 0.2 s and
35 MB at start-up).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlsplit

from bot.errors import EmptyInput, InvalidLink, NotAnArticle, TooLarge
from bot.ingest.text import parse_markdown, parse_text
from bot.models import OPENING_CHARS, Article, SourceInfo, Stats, Summary
from bot.nlp.entities import extract_entities
from bot.nlp.language import detect_language
from bot.nlp.sentences import split_sentences
from bot.nlp.summarize import summarize_sentences
from bot.nlp.tokens import count_words, sentence_words
from bot.options import Options
from bot.workers import WorkerPool

if TYPE_CHECKING:
    from bot.ingest.fetch import FetchLimits

# Fewer words than this is a note, not an article: there is nothing to shorten.
MIN_ARTICLE_WORDS = 12
_ENOUGH_WORDS_CHARS = 400  # surely holds MIN_ARTICLE_WORDS words of real prose


@dataclass(frozen=True)
class TextSource:
    text: str


@dataclass(frozen=True)
class FileSource:
    """Bytes of a file, a download or stdin; the type is detected from the content."""

    data: bytes
    name: str | None = None
    content_type: str | None = None
    charset: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class HtmlSource:
    """An HTML page already in hand; `url` only says where it came from."""

    html: str
    url: str | None = None


@dataclass(frozen=True)
class UrlSource:
    url: str


Source = TextSource | FileSource | HtmlSource | UrlSource


def article_from_file(source: FileSource, *, max_bytes: int | None = None) -> Article:
    """Detect the type of some bytes and extract the article in them."""
    from bot.ingest.files import decode_text, detect_kind
    from bot.ingest.pdf import pdf_to_text

    if max_bytes is not None and len(source.data) > max_bytes:
        raise TooLarge(
            f"The file is {_megabytes(len(source.data))}; the limit is {_megabytes(max_bytes)}."
        )
    kind = detect_kind(source.data, name=source.name, content_type=source.content_type)
    if kind == "pdf":
        return parse_text(pdf_to_text(source.data))
    text = decode_text(source.data, declared=source.charset, is_html=kind == "html")
    if kind == "html":
        from bot.ingest.html import extract_html

        return extract_html(text, url=source.url)
    article = parse_markdown(text) if kind == "markdown" else parse_text(text)
    if source.url and article.source.url is None:
        article = article.model_copy(update={"source": _with_url(article.source, source.url)})
    return article


LocalSource = TextSource | FileSource | HtmlSource


def url_source(link: str) -> UrlSource:
    """A link a user gave, checked before anything is fetched (every door calls this)."""
    link = link.strip().strip("<>").strip()
    try:
        parts = urlsplit(link)
        scheme, hostname = parts.scheme.lower(), parts.hostname
    except ValueError:  # e.g. "http://[::1" (an unclosed IPv6 address)
        scheme, hostname = "", None
    if scheme not in ("http", "https") or not hostname:
        # The link itself is not repeated: it may carry credentials.
        raise InvalidLink(
            "That is not a web link: give an address that starts with http:// or https:// "
            "and names a site."
        )
    return UrlSource(link)


def load_local(source: LocalSource, *, max_file_bytes: int | None = None) -> Article:
    """Turn a source already in hand into an Article (CPU only, no I/O)."""
    match source:
        case TextSource(text=text):
            if not text.strip():
                raise EmptyInput("There is no text to summarize.")
            return parse_text(text)
        case HtmlSource(html=html, url=url):
            from bot.ingest.html import extract_html

            return extract_html(html, url=url)
        case FileSource():
            return article_from_file(source, max_bytes=max_file_bytes)
    raise TypeError(f"unknown source {source!r}")


async def fetch_source(url: str, limits: FetchLimits) -> FileSource:
    """Download a link through the guarded fetcher, keeping what the server said of it."""
    from bot.ingest.fetch import fetch_url

    fetched = await fetch_url(url, limits)
    return FileSource(
        data=fetched.data,
        content_type=fetched.content_type,
        charset=fetched.charset,
        url=fetched.url,
        name=fetched.url.split("?", 1)[0].rsplit("/", 1)[-1] or None,
    )


def analyse(article: Article, options: Options = Options()) -> Summary:
    """Language, sentences, extractive summary and key entities of a clean article."""
    body = article.body.strip()
    # Enough words? The start of a long text settles it (a prefix has no more
    # words than the whole); the full count comes from the sentences below.
    if count_words(body[:_ENOUGH_WORDS_CHARS]) < MIN_ARTICLE_WORDS:
        total_words = count_words(body)
        if total_words < MIN_ARTICLE_WORDS:
            raise NotAnArticle(
                "I found no article there: the text is too short to summarize "
                f"({total_words} word{'' if total_words == 1 else 's'})."
            )
    language = options.language or detect_language(body, hint=article.language)
    sentences = split_sentences(body, language)
    if not sentences:
        raise NotAnArticle("I found no sentences to summarize in that text.")
    # The splitter cuts the text without dropping any of it, so its sentences
    # hold every word; the summarizer has already asked for most of them.
    total_words = max(1, sum(len(sentence_words(s)) for s in sentences))
    chosen = summarize_sentences(
        sentences,
        language=language,
        count=options.sentences,
        algorithm=options.algorithm,
        title=article.title,
    )
    entities = extract_entities(
        sentences, language=language, title=article.title, limit=options.max_entities
    )
    summary_words = sum(len(sentence_words(s)) for s in chosen)
    return Summary(
        title=article.title,
        language=language,
        source=article.source,
        summary=chosen,
        entities=entities,
        stats=Stats(
            words=total_words,
            sentences=len(sentences),
            summary_words=summary_words,
            reduction=round(1 - summary_words / total_words, 4),
        ),
        algorithm=options.algorithm,
        image=article.image,
        opening=body[:OPENING_CHARS],
    )


_WARM_UP = (
    "Warm-up: the city council of Lyon met on Monday in the town hall to discuss the new "
    "tramway line. The mayor said the works would start next spring and last two years.",
    "Le conseil municipal de Lyon s'est réuni lundi à l'hôtel de ville pour discuter de la "
    "nouvelle ligne de tramway. Le maire a annoncé que les travaux dureraient deux ans.",
)


def warm_up() -> None:
    """Load what the engine loads on first use (the language model, stemmers, stop words,
    gazetteers) now: before forking workers that then share it, or before timing."""
    for text in _WARM_UP:
        analyse(parse_text(text))


T = TypeVar("T")


async def _off_loop(executor: Executor | WorkerPool | None, func: Callable[[], T]) -> T:
    if executor is None:
        return func()
    if isinstance(executor, WorkerPool):  # a process, killed when over its budget
        return await executor.run(func)
    return await asyncio.get_running_loop().run_in_executor(executor, func)


def summarize_local(
    source: LocalSource, options: Options = Options(), max_file_bytes: int | None = None
) -> tuple[Article, Summary]:
    """Load and analyse a source already in hand: all the CPU work of the pipeline, in one
    plain function of picklable arguments, so a process pool can run it too."""
    article = load_local(source, max_file_bytes=max_file_bytes)
    return article, analyse(article, options)


async def summarize_source(
    source: Source,
    options: Options = Options(),
    *,
    limits: FetchLimits,
    max_file_bytes: int | None = None,
    executor: Executor | WorkerPool | None = None,
) -> tuple[Article, Summary]:
    """The whole pipeline. With an executor, the CPU work leaves the event loop."""
    local = await fetch_source(source.url, limits) if isinstance(source, UrlSource) else source
    return await _off_loop(executor, partial(summarize_local, local, options, max_file_bytes))


def _with_url(source: SourceInfo, url: str) -> SourceInfo:
    return source.model_copy(update={"url": url})


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
