"""A linear replacement for one quadratic regex in feedparser's HTML sanitizer.

feedparser sanitizes the HTML of every item (`sanitize_html=True`, which we keep:
the stored content is feedparser's sanitized HTML). When an item holds an
unclosed comment, its `_HTMLSanitizer.parse_comment` searches
`re.compile(r'--[^>]*>')` from the comment on; with many "--" and no ">" after
them, every "--" restarts a scan to the end of the item: an item of 40,000
"<!--" took 3.4 s, one of 5 MB would take half an hour.

The regex's leftmost match is the first "--" at or after the comment, and the
first ">" after that "--" (`[^>]*` cannot pass a ">"): two `str.find`s give the
same end in linear time. The method below is that, and nothing else; it is
installed once, when `bot.ingest.feeds` is imported, and only over the version
it was written for.
"""

from __future__ import annotations

from typing import Any

FEEDPARSER_VERSIONS = ("6.0.",)


def comment_end(rawdata: str, start: int) -> int:
    """Where `re.compile(r'--[^>]*>').search(rawdata, start)` ends, or -1 (no match)."""
    dashes = rawdata.find("--", start)
    if dashes < 0:
        return -1
    close = rawdata.find(">", dashes + 2)
    return -1 if close < 0 else close + 1


def install() -> bool:
    """Replace `_HTMLSanitizer.parse_comment`; False when feedparser is another version."""
    import feedparser
    from feedparser.sanitizer import _HTMLSanitizer

    if not str(getattr(feedparser, "__version__", "")).startswith(FEEDPARSER_VERSIONS):
        return False

    def parse_comment(self: Any, i: int, report: int = 1) -> int:
        ret: int = super(_HTMLSanitizer, self).parse_comment(i, report)
        if ret >= 0:
            return ret
        # An unclosed comment: skip to the first "-- ... >" as feedparser does, else
        # deliberately swallow the rest (feedparser's own choice, kept).
        end = comment_end(self.rawdata, i + 4)
        return end if end >= 0 else len(self.rawdata)

    _HTMLSanitizer.parse_comment = parse_comment
    return True
