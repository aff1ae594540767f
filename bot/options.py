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


def resolve_sentences(
    explicit: int | None = None,
    *,
    subscription: int | None = None,
    server: int | None = None,
    default: int = DEFAULT_SENTENCES,
) -> int:
    """How many sentences, decided in this one place: the option given with the request,
    else the subscription's own count, else the server's default (`/precis settings`),
    else the instance's (`DEFAULT_SENTENCES` setting). A subscription without its own
    count (NULL) follows the server's default as it is when each item is posted."""
    for value in (explicit, subscription, server):
        if value is not None:
            return check_sentences(value)
    return check_sentences(default)


def resolve_options(
    sentences: int | None = None,
    *,
    subscription_sentences: int | None = None,
    server_sentences: int | None = None,
    default_sentences: int = DEFAULT_SENTENCES,
    algorithm: str = DEFAULT_ALGORITHM,
    language: str | None = None,
) -> Options:
    """The options of one request: what the user asked, else the subscription's, the
    server's or the instance's default (`resolve_sentences`)."""
    count = resolve_sentences(
        sentences, subscription=subscription_sentences, server=server_sentences,
        default=default_sentences,
    )  # fmt: skip
    return Options(
        sentences=check_sentences(count), algorithm=check_algorithm(algorithm), language=language
    )
