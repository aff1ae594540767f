"""Summary options, defined once: the sentence range and default, the algorithms, and how
a request's options are resolved from what the user asked and the settings.

A leaf module (it imports nothing of Précis): the settings validate against it, and the
CLI, the web API, the cogs and the feeds all resolve through `resolve_options`.
"""

from __future__ import annotations

from dataclasses import dataclass

SENTENCES_MIN = 1
SENTENCES_MAX = 10
DEFAULT_SENTENCES = 3
SENTENCES_RANGE = f"{SENTENCES_MIN}–{SENTENCES_MAX}"

DEFAULT_ALGORITHM = "precis"
# The names `precis algorithms` lists; bot.nlp.summarize builds one summarizer for each
# (a test holds the two lists equal).
ALGORITHMS = (
    "precis",
    "lead",
    "lsa",
    "luhn",
    "edmundson",
    "lex-rank",
    "text-rank",
    "sum-basic",
    "kl",
    "reduction",
    "random",
)


@dataclass(frozen=True)
class Options:
    sentences: int = DEFAULT_SENTENCES
    algorithm: str = DEFAULT_ALGORITHM
    language: str | None = None  # force a language instead of detecting it
    max_entities: int = 10


def check_algorithm(name: str) -> str:
    if name not in ALGORITHMS:
        choices = ", ".join(ALGORITHMS)
        raise ValueError(f"Unknown summary algorithm {name!r}; choose one of: {choices}.")
    return name


def check_sentences(count: int) -> int:
    if not SENTENCES_MIN <= count <= SENTENCES_MAX:
        raise ValueError(f"sentences must be {SENTENCES_RANGE}, not {count}")
    return count


def resolve_options(
    sentences: int | None = None,
    *,
    default_sentences: int = DEFAULT_SENTENCES,
    algorithm: str = DEFAULT_ALGORITHM,
    language: str | None = None,
) -> Options:
    """The options of one request: what the user asked, else the server's or the
    instance's default (a per-server default plugs in as `default_sentences`)."""
    count = sentences if sentences is not None else default_sentences
    return Options(
        sentences=check_sentences(count), algorithm=check_algorithm(algorithm), language=language
    )
