"""Errors that carry a message fit to show a user.

Every failure a user can cause (bad input, unreachable page, ...) is a
`PrecisError`; its `str()` says what happened and what to do, and never
contains secrets or stack traces. Doors catch `PrecisError` and show it;
anything else is a bug and is logged.
"""

from __future__ import annotations


class PrecisError(Exception):
    """Base class: the message is safe to show to the user."""


class InputError(PrecisError):
    """The input itself cannot be used (empty, binary, wrong type, too large)."""


class EmptyInput(InputError):
    pass


class UnsupportedType(InputError):
    pass


class TooLarge(InputError):
    pass


class InvalidLink(InputError):
    """What was given as a link is not an http(s) address of a site."""


class FetchError(PrecisError):
    """A link could not be fetched (refused, unreachable, timed out, HTTP error)."""


class BlockedAddress(FetchError):
    """The link points at an address we refuse to contact (loopback, private, ...)."""


class TooComplex(InputError):
    """The input would take more time or memory than a summary may use."""


class ShuttingDown(PrecisError):
    """Précis is stopping; the work was abandoned."""


class NotAnArticle(PrecisError):
    """Nothing article-like was found in the input."""


class LanguageError(PrecisError):
    """The text's language could not be read."""
