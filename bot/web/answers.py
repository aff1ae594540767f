"""The upload API's answers other than 200: ApiError, which status each error gets,
and the JSON error body {"error": "..."}."""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from bot.errors import (
    BlockedAddress,
    EmptyInput,
    FetchError,
    InputError,
    InvalidLink,
    LanguageError,
    NotAnArticle,
    PrecisError,
    ShuttingDown,
    TooComplex,
    TooLarge,
    UnsupportedType,
)
from bot.pipeline import Source, UrlSource

# Every user-facing error class, most specific first in the MRO walk: one table.
ERROR_STATUS: Mapping[type[PrecisError], int] = {
    TooLarge: 413,
    TooComplex: 422,  # over the time or memory budget of a summary
    UnsupportedType: 415,
    EmptyInput: 400,
    InputError: 422,  # e.g. a damaged or password-protected PDF
    InvalidLink: 400,
    BlockedAddress: 400,  # a link to a private address: we refuse, nothing failed upstream
    FetchError: 502,
    NotAnArticle: 422,
    LanguageError: 422,
    ShuttingDown: 503,
    PrecisError: 400,
}


def status_for(exc: PrecisError, source: Source | None = None) -> int:
    if isinstance(source, UrlSource) and isinstance(exc, TooLarge):
        return 502  # the page we fetched was too large, not the request
    for cls in type(exc).__mro__:
        if cls in ERROR_STATUS:
            return ERROR_STATUS[cls]  # type: ignore[index]
    return 400


class ApiError(Exception):
    """An answer other than 200, with its JSON error message."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})


def error_response(
    status: int, message: str, headers: Mapping[str, str] | None = None
) -> web.Response:
    return web.json_response({"error": message}, status=status, headers=headers)


def retry_headers(exc: web.HTTPException) -> dict[str, str]:
    retry = exc.headers.get("Retry-After")
    return {"Retry-After": retry} if retry else {}
