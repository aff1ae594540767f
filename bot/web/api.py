"""The upload API, POST /api/v1/summaries: token, admission, summarizing, posting.

`WebApp` (bot.web.app) routes the requests here; `RequestReader`
(bot.web.parsing) reads their bodies.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import TYPE_CHECKING

from aiohttp import hdrs, web

from bot import metrics
from bot.errors import PrecisError
from bot.pipeline import Source
from bot.render import to_json_dict
from bot.web.answers import ApiError, error_response, status_for
from bot.web.config import WebConfig
from bot.web.parsing import RequestReader

if TYPE_CHECKING:
    from bot.models import Summary
    from bot.service import SummaryService

log = logging.getLogger("precis.web")

# Posts the summary's embed to a channel; may return the new message's id.
PostSummary = Callable[[int, "Summary"], Awaitable[object]]

API_PATH = "/api/v1/summaries"

_dumps = partial(json.dumps, ensure_ascii=False)


class UploadApi:
    """Answers POST /api/v1/summaries; `stopping` says when the server is shutting down."""

    def __init__(
        self,
        config: WebConfig,
        service: SummaryService,
        post_summary: PostSummary | None,
        stopping: Callable[[], bool],
    ) -> None:
        self.config = config
        self.service = service
        self.post_summary = post_summary
        self._is_stopping = stopping
        self._reader = RequestReader(config)
        self._admission = asyncio.Semaphore(config.max_pending)
        self._token_digest = (
            hashlib.sha256(config.api_token.get_secret_value().encode()).digest()
            if config.api_token is not None
            else None
        )

    @property
    def enabled(self) -> bool:
        """Whether an API token is set (without one, the API answers 404)."""
        return self._token_digest is not None

    async def summaries(self, request: web.Request) -> web.StreamResponse:
        started = time.perf_counter()
        status = 500
        kind = channel = None
        try:
            self._authorize(request)
            await self._admit()
            try:
                source, sentences, channel = await self._reader.read(request)
                kind = type(source).__name__.removesuffix("Source").lower()
                response = await self._summarize(source, sentences, channel)
            finally:
                self._admission.release()
        except ApiError as exc:
            response = error_response(exc.status, exc.message, exc.headers)
        except Exception:
            log.exception("upload API request failed")
            response = error_response(500, "Internal error; it has been logged.")
        status = response.status
        ms = (time.perf_counter() - started) * 1000
        metrics.api_request(status)
        log.info(
            "api upload status=%d source=%s channel=%s ms=%.0f",
            status, kind, channel, ms,
            extra={"event": "api", "status": status, "source_kind": kind,
                   "channel_id": channel, "ms": round(ms, 1), "remote": request.remote},
        )  # fmt: skip
        return response

    def _authorize(self, request: web.Request) -> None:
        if self._token_digest is None:
            raise ApiError(404, "The upload API is off: set API_TOKEN to turn it on.")
        scheme, _, credentials = request.headers.get(hdrs.AUTHORIZATION, "").partition(" ")
        given = hashlib.sha256(credentials.strip().encode("utf-8", "replace")).digest()
        # Digests of equal length: compare_digest then leaks neither content nor length.
        if scheme.lower() != "bearer" or not hmac.compare_digest(given, self._token_digest):
            raise ApiError(401, "Missing or wrong API token (Authorization: Bearer <API_TOKEN>).",
                           {"WWW-Authenticate": 'Bearer realm="precis"'})  # fmt: skip

    async def _admit(self) -> None:
        """Bounded work (and memory: each admitted body may hold up to 10 MB). Beyond
        `max_pending`, a request waits unread for a turn, then gets 503 + Retry-After."""
        busy = ApiError(503, "Précis is busy; try again in a few seconds.", {"Retry-After": "5"})
        if self._is_stopping():
            raise busy
        try:
            await asyncio.wait_for(self._admission.acquire(), self.config.admission_wait)
        except TimeoutError:
            raise busy from None

    async def _summarize(
        self, source: Source, sentences: int | None, channel: int | None
    ) -> web.Response:
        if channel is not None:
            if channel not in self.config.allowed_channels:
                raise ApiError(403, f"Channel {channel} is not in API_ALLOWED_CHANNELS.")
            if self.post_summary is None:
                raise ApiError(503, "Posting to Discord is not available right now.",
                               {"Retry-After": "30"})  # fmt: skip
        try:
            _, summary = await self.service.summarize(
                source, self.service.options(sentences), door="api"
            )
        except PrecisError as exc:
            retry = getattr(exc, "retry_after", None)
            busy = {"Retry-After": f"{max(1, round(retry))}"} if retry is not None else None
            raise ApiError(status_for(exc, source), str(exc), busy) from None
        headers: dict[str, str] = {}
        if channel is not None and self.post_summary is not None:
            try:
                posted = await self.post_summary(channel, summary)
            except Exception as exc:
                log.warning("posting an API summary to channel %s failed: %s",
                            channel, type(exc).__name__)  # fmt: skip
                raise ApiError(502, f"The summary was made but could not be posted to channel "
                                    f"{channel} ({type(exc).__name__}).") from None  # fmt: skip
            headers["X-Precis-Channel"] = str(channel)
            if isinstance(posted, int):
                headers["X-Precis-Message-Id"] = str(posted)
        return web.json_response(to_json_dict(summary), headers=headers, dumps=_dumps)
