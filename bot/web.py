"""The bot's HTTP side: health, readiness, metrics, and the upload API.

It runs in the bot's own process and event loop (aiohttp), and imports no
discord: the bot hands it what it needs.

    web = WebApp(WebConfig.from_settings(settings), service,
                 probes={"gateway": ..., "database": store.ping, "poller": ...},
                 post_summary=bot.post_summary)
    await web.start()   ...   await web.stop()

Routes
  GET  /healthz            200 while the process and its event loop work; 503 when a
                           readiness probe has been failing for `unhealthy_after` seconds
                           (stuck: restarting would help) or the loop stalls.
  GET  /readyz             200 when every probe passes, else 503; JSON detail per probe.
  GET  /metrics            Prometheus text format (bot/metrics.py).
  POST /api/v1/summaries   Bearer token. JSON {"url"|"text"|"html", "sentences"?, "channel_id"?}
                           or multipart/form-data (file, sentences?, channel_id?). Answers with
                           the summary JSON of `precis summarize --format json`; with a
                           channel_id (one of API_ALLOWED_CHANNELS) also posts the embed there.
                           Errors are JSON {"error": "..."}: 400 bad request, 401 token,
                           403 channel, 404 API off (no API_TOKEN), 408 body too slow, 413 too
                           large, 415 type, 422 not an article, 502 fetch/post failed, 503 busy.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import inspect
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, hdrs, web
from aiohttp.abc import AbstractAccessLogger
from pydantic import SecretStr

from bot import __version__, metrics
from bot.errors import (
    BlockedAddress,
    EmptyInput,
    FetchError,
    InputError,
    InvalidLink,
    LanguageError,
    NotAnArticle,
    PrecisError,
    TooLarge,
    UnsupportedType,
)
from bot.pipeline import FileSource, HtmlSource, Source, TextSource, UrlSource, url_source
from bot.render import to_json_dict

if TYPE_CHECKING:
    from bot.models import Summary
    from bot.service import SummaryService
    from config.settings import Settings

log = logging.getLogger("precis.web")

Probe = Callable[[], Awaitable[bool] | bool]
# Posts the summary's embed to a channel; may return the new message's id.
PostSummary = Callable[[int, "Summary"], Awaitable[object]]

API_PATH = "/api/v1/summaries"
JSON_FIELDS = ("url", "text", "html", "sentences", "channel_id")
SOURCE_FIELDS = ("url", "text", "html")
MULTIPART_FIELDS = ("file", "sentences", "channel_id")
MULTIPART_SLACK = 64 * 1024  # boundaries, part headers and the small fields
CHUNK = 64 * 1024

# Every user-facing error class, most specific first in the MRO walk: one table.
ERROR_STATUS: Mapping[type[PrecisError], int] = {
    TooLarge: 413,
    UnsupportedType: 415,
    EmptyInput: 400,
    InputError: 422,  # e.g. a damaged or password-protected PDF
    InvalidLink: 400,
    BlockedAddress: 400,  # a link to a private address: we refuse, nothing failed upstream
    FetchError: 502,
    NotAnArticle: 422,
    LanguageError: 422,
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


_dumps = partial(json.dumps, ensure_ascii=False)


@dataclass(frozen=True)
class WebConfig:
    host: str = "127.0.0.1"
    port: int = 8080
    api_token: SecretStr | None = None  # None: the upload API answers 404
    allowed_channels: frozenset[int] = frozenset()
    max_file_bytes: int = 10 * 1024 * 1024
    max_pending: int = 32  # API requests admitted at once (reading, queued or summarizing)
    admission_wait: float = 10.0  # how long a request beyond those waits (unread) for a turn
    body_timeout: float = 60.0  # a client must send its body within this
    probe_timeout: float = 3.0
    probe_interval: float = 10.0  # how often the background watch runs the probes
    unhealthy_after: float = 120.0  # a probe failing this long makes /healthz fail
    stall_after: float = 10.0  # the event loop missing its ticks this long: unhealthy
    shutdown_timeout: float = 3.0  # in-flight requests get this long on stop()

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> WebConfig:
        token = settings.api_token
        if token is not None and not token.get_secret_value().strip():
            token = None
        values: dict[str, Any] = {
            "host": settings.web_host,
            "port": settings.web_port,
            "api_token": token,
            "allowed_channels": frozenset(int(c) for c in settings.api_allowed_channels),
            "max_file_bytes": settings.max_file_bytes,
            "max_pending": max(16, 8 * settings.max_concurrent_summaries),
            **overrides,
        }
        return cls(**values)

    @property
    def max_body_bytes(self) -> int:
        return self.max_file_bytes + MULTIPART_SLACK


@dataclass
class ProbeState:
    ok: bool | None = None  # None: never run
    since: float = field(default_factory=time.monotonic)  # when `ok` last changed
    error: str | None = None
    ms: float = 0.0


class _AccessLogger(AbstractAccessLogger):
    """One line per request; probes and scrapes only at DEBUG; the API logs its own line."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        path = request.path
        if path == API_PATH:
            return
        level = logging.DEBUG if path in ("/healthz", "/readyz", "/metrics") else logging.INFO
        self.logger.log(
            level,
            "http %s %s %d %.0fms",
            request.method, path, response.status, time * 1000,
            extra={"event": "http", "method": request.method, "path": path,
                   "status": response.status, "ms": round(time * 1000, 1)},
        )  # fmt: skip

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.DEBUG) or self.logger.isEnabledFor(logging.INFO)


class WebApp:
    def __init__(
        self,
        config: WebConfig,
        service: SummaryService,
        probes: Mapping[str, Probe] | None = None,
        post_summary: PostSummary | None = None,
    ) -> None:
        self.config = config
        self.service = service
        self.probes: dict[str, Probe] = dict(probes or {})
        self.post_summary = post_summary
        self.state: dict[str, ProbeState] = {}
        self.started = time.monotonic()
        self._tick = time.monotonic()
        self._lag = 0.0
        self._admission = asyncio.Semaphore(config.max_pending)
        self._stopping = False
        self._runner: web.AppRunner | None = None
        self._watch: asyncio.Task[None] | None = None
        self._token_digest = (
            hashlib.sha256(config.api_token.get_secret_value().encode()).digest()
            if config.api_token is not None
            else None
        )
        self.app = web.Application(
            client_max_size=config.max_body_bytes, middlewares=[self._json_errors]
        )
        self.app.router.add_get("/healthz", self.healthz)
        self.app.router.add_get("/readyz", self.readyz)
        self.app.router.add_get("/metrics", self.metrics)
        self.app.router.add_post(API_PATH, self.summaries)

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        self._runner = web.AppRunner(
            self.app,
            access_log_class=_AccessLogger,
            access_log=logging.getLogger("precis.web.access"),
            shutdown_timeout=self.config.shutdown_timeout,
        )
        await self._runner.setup()
        self.started = self._tick = time.monotonic()
        site = web.TCPSite(self._runner, self.config.host, self.config.port)
        try:
            await site.start()
        except OSError as exc:
            await self._runner.cleanup()
            self._runner = None
            raise OSError(
                exc.errno,
                f"cannot listen on {self.config.host}:{self.config.port} ({exc.strerror}); "
                "set WEB_PORT to a free port or WEB_ENABLED=false",
            ) from None
        self._watch = asyncio.create_task(self._watch_loop(), name="precis-web-watch")
        log.info(
            "web listening on http://%s:%d (upload API %s)",
            self.config.host, self.port, "on" if self._token_digest else "off: no API_TOKEN",
        )  # fmt: skip

    @property
    def port(self) -> int:
        if self._runner is None or not self._runner.addresses:
            return self.config.port
        return int(self._runner.addresses[0][1])

    @property
    def url(self) -> str:
        return f"http://{self.config.host}:{self.port}"

    async def stop(self) -> None:
        """Refuse new work (readiness turns 503), let in-flight requests finish briefly."""
        self._stopping = True
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
            self._watch = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ------------------------------------------------------------------ probes

    async def _run_probe(self, name: str, probe: Probe) -> ProbeState:
        started = time.perf_counter()
        error: str | None = None
        try:
            result = probe()
            if inspect.isawaitable(result):
                result = await asyncio.wait_for(result, self.config.probe_timeout)
            ok = bool(result)
        except TimeoutError:
            ok, error = False, f"no answer within {self.config.probe_timeout:g} s"
        except Exception as exc:
            ok, error = False, type(exc).__name__
        state = self.state.setdefault(name, ProbeState(since=self.started))
        if state.ok is not ok:
            first = state.ok is None
            if not first or not ok:  # log changes, and a probe that fails from the start
                log.log(logging.INFO if ok else logging.WARNING, "probe %s %s", name,
                        "passes" if ok else "fails" + (f": {error}" if error else ""),
                        extra={"event": "probe", "probe": name, "ok": ok})  # fmt: skip
            if not (first and not ok):  # never passed: failing since start-up
                state.since = time.monotonic()
            state.ok = ok
        state.error = error
        state.ms = round((time.perf_counter() - started) * 1000, 1)
        return state

    async def check(self) -> dict[str, ProbeState]:
        """Run every probe now (concurrently)."""
        names = list(self.probes)
        states = await asyncio.gather(*(self._run_probe(n, self.probes[n]) for n in names))
        return dict(zip(names, states, strict=True))

    async def _watch_loop(self) -> None:
        """Ticks every second (loop lag), runs the probes every `probe_interval`."""
        next_probe = 0.0
        while True:
            before = time.monotonic()
            if before >= next_probe:
                with contextlib.suppress(Exception):
                    await self.check()
                next_probe = time.monotonic() + self.config.probe_interval
            expected = time.monotonic() + 1.0
            await asyncio.sleep(1.0)
            now = time.monotonic()
            self._lag = max(0.0, now - expected)
            self._tick = now

    # ------------------------------------------------------------------ handlers

    async def healthz(self, request: web.Request) -> web.Response:
        now = time.monotonic()
        stalled = self._watch is not None and now - self._tick > self.config.stall_after
        stuck = {
            name: round(now - state.since, 1)
            for name, state in self.state.items()
            if name in self.probes and state.ok is not True
            and now - state.since >= self.config.unhealthy_after
        }  # fmt: skip
        body: dict[str, Any] = {
            "status": "ok",
            "version": __version__,
            "uptime_s": round(now - self.started, 1),
            "loop_lag_ms": round(self._lag * 1000, 1),
        }
        if stalled or stuck:
            body["status"] = "unhealthy"
            if stalled:
                body["loop_stalled_s"] = round(now - self._tick, 1)
            if stuck:
                body["failing_s"] = stuck
            return web.json_response(body, status=503)
        return web.json_response(body)

    async def readyz(self, request: web.Request) -> web.Response:
        states = await self.check()
        ready = all(s.ok for s in states.values()) and not self._stopping
        checks = {
            name: {"ok": bool(s.ok), "ms": s.ms, **({"error": s.error} if s.error else {})}
            for name, s in states.items()
        }
        body: dict[str, Any] = {"status": "ready" if ready else "not ready", "checks": checks}
        if self._stopping:
            body["stopping"] = True
        return web.json_response(body, status=200 if ready else 503)

    async def metrics(self, request: web.Request) -> web.Response:
        data, content_type = await metrics.exposition()
        response = web.Response(body=data)
        response.headers[hdrs.CONTENT_TYPE] = content_type
        return response

    @web.middleware
    async def _json_errors(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        """aiohttp's own errors (404, 405, 413 ...) as JSON under /api/."""
        try:
            return await handler(request)
        except web.HTTPException as exc:
            if not request.path.startswith("/api/") or exc.status < 400:
                raise
            return error_response(exc.status, exc.reason, headers=_retry_headers(exc))

    # ------------------------------------------------------------------ the upload API

    async def summaries(self, request: web.Request) -> web.StreamResponse:
        started = time.perf_counter()
        status = 500
        kind = channel = None
        try:
            self._authorize(request)
            await self._admit()
            try:
                source, sentences, channel = await self._read_request(request)
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
        if self._stopping:
            raise busy
        try:
            await asyncio.wait_for(self._admission.acquire(), self.config.admission_wait)
        except TimeoutError:
            raise busy from None

    async def _read_request(self, request: web.Request) -> tuple[Source, int | None, int | None]:
        limit = self.config.max_body_bytes
        if request.content_length is not None and request.content_length > limit:
            raise ApiError(413, self._too_large_message())  # before reading a byte
        mimetype = request.content_type
        try:
            async with asyncio.timeout(self.config.body_timeout):
                if mimetype == "application/json":
                    return self._parse_json(await self._read_limited(request, limit))
                if mimetype == "multipart/form-data":
                    return await self._read_multipart(request)
        except TimeoutError:
            raise ApiError(408, "The request body arrived too slowly.") from None
        raise ApiError(
            415, "Send application/json ({\"url\"|\"text\"|\"html\": ...}) or "
            "multipart/form-data with a `file` field."
        )  # fmt: skip

    def _too_large_message(self) -> str:
        return (
            f"The request is larger than the {self.config.max_file_bytes / 1048576:.0f} MB limit."
        )

    async def _read_limited(self, request: web.Request, limit: int) -> bytes:
        body = bytearray()
        async for chunk in request.content.iter_chunked(CHUNK):
            body += chunk
            if len(body) > limit:
                raise ApiError(413, self._too_large_message())
        return bytes(body)

    def _parse_json(self, raw: bytes) -> tuple[Source, int | None, int | None]:
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "The body is not valid JSON.") from None
        if not isinstance(data, dict):
            raise ApiError(400, "The body must be a JSON object.")
        unknown = sorted(set(data) - set(JSON_FIELDS))
        if unknown:
            raise ApiError(400, f"Unknown field(s) {', '.join(unknown)}; "
                                f"known: {', '.join(JSON_FIELDS)}.")  # fmt: skip
        given = [name for name in SOURCE_FIELDS if data.get(name) is not None]
        if not given:
            raise ApiError(400, 'Give one source: "url", "text" or "html".')
        if len(given) > 1:
            raise ApiError(400, f"Give only one source, not {' and '.join(given)}.")
        name = given[0]
        value = data[name]
        if not isinstance(value, str):
            raise ApiError(400, f'"{name}" must be a string.')
        source: Source
        if name == "url":
            try:
                source = url_source(value)
            except InvalidLink as exc:
                raise ApiError(status_for(exc), str(exc)) from None
        elif name == "html":
            source = HtmlSource(value)
        else:
            source = TextSource(value)
        return source, _sentences(data.get("sentences")), _channel(data.get("channel_id"))

    async def _read_multipart(self, request: web.Request) -> tuple[Source, int | None, int | None]:
        try:
            reader = await request.multipart()
        except (ValueError, AssertionError) as exc:
            raise ApiError(400, f"Bad multipart body: {exc}") from None
        fields: dict[str, str] = {}
        source: FileSource | None = None
        while True:
            try:
                part = await reader.next()
            except ValueError as exc:
                raise ApiError(400, f"Bad multipart body: {exc}") from None
            if part is None:
                break
            if not isinstance(part, BodyPartReader):
                raise ApiError(400, "Nested multipart bodies are not supported.")
            name = part.name or ""
            if name not in MULTIPART_FIELDS:
                raise ApiError(
                    400, f"Unknown field {name!r}; known: {', '.join(MULTIPART_FIELDS)}."
                )
            if name in fields or (name == "file" and source is not None):
                raise ApiError(400, f"The field {name!r} was given twice.")
            encoding = part.headers.get(hdrs.CONTENT_ENCODING, "identity").lower()
            transfer = part.headers.get(hdrs.CONTENT_TRANSFER_ENCODING, "binary").lower()
            if encoding != "identity" or transfer not in ("binary", "8bit", "7bit"):
                raise ApiError(
                    415, "Send the file as it is, without a content or transfer encoding."
                )
            if name == "file":
                data = await self._read_part(part, self.config.max_file_bytes)
                source = FileSource(
                    data=data, name=part.filename,
                    content_type=part.headers.get(hdrs.CONTENT_TYPE),
                )  # fmt: skip
            else:
                raw = await self._read_part(part, 64, too_large=400)
                fields[name] = raw.decode("utf-8", "replace").strip()
            if request.content.total_bytes > self.config.max_body_bytes:
                raise ApiError(413, self._too_large_message())
        if source is None:
            raise ApiError(400, "The multipart body has no `file` field.")
        return source, _sentences(fields.get("sentences")), _channel(fields.get("channel_id"))

    async def _read_part(self, part: BodyPartReader, limit: int, *, too_large: int = 413) -> bytes:
        data = bytearray()
        while True:
            chunk = await part.read_chunk(CHUNK)
            if not chunk:
                return bytes(data)
            data += chunk
            if len(data) > limit:
                if too_large == 413:
                    raise ApiError(413, self._too_large_message())
                raise ApiError(too_large, f"The field {part.name!r} is too long.")

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


# ---------------------------------------------------------------------- validation


def _sentences(value: object) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 10:
        raise ApiError(400, '"sentences" must be a whole number from 1 to 10.')
    return value


def _channel(value: object) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 2**64:
        raise ApiError(400, '"channel_id" must be a Discord channel id (a number).')
    return value


def _retry_headers(exc: web.HTTPException) -> dict[str, str]:
    retry = exc.headers.get("Retry-After")
    return {"Retry-After": retry} if retry else {}
