"""The typed objects that flow through the pipeline.

`Article` is what ingestion produces (clean body text plus metadata);
`Summary` is the one immutable result every door renders.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

EntityType = Literal["person", "place", "organization", "other"]
OPENING_CHARS = 5_000  # where a report names its event's year, date, toll and sums


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SourceInfo(_Frozen):
    """Where an article came from, as shown on the source line."""

    name: str | None = None  # publisher or site name
    url: str | None = None  # canonical URL when known
    author: str | None = None
    published: dt.date | None = None


class Article(_Frozen):
    """A cleaned article ready for analysis.

    `body` holds only article text: paragraphs separated by blank lines, with
    captions, credits, share/"read more" lines and source lines removed.
    """

    title: str | None = None
    body: str
    source: SourceInfo = Field(default_factory=SourceInfo)
    language: str | None = None  # a hint from the page or caller, ISO 639-1
    image: str | None = None  # the lead image: an absolute http(s) URL (bot.ingest.images)


class Entity(_Frozen):
    text: str
    type: EntityType
    count: int


class Stats(_Frozen):
    words: int
    sentences: int
    summary_words: int
    reduction: float  # fraction of words removed, 0..1


class Summary(_Frozen):
    title: str | None
    language: str
    source: SourceInfo
    summary: list[str]
    entities: list[Entity]
    stats: Stats
    algorithm: str
    image: str | None = None  # the article's lead image (absolute http(s) URL), if any
    # The body's first OPENING_CHARS characters, for the same-story keys (its figures and
    # years): carried to the bot's grouping, never shown nor written out.
    opening: str = Field(default="", exclude=True, repr=False)
