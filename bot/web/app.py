"""WebApp: the aiohttp server's lifecycle, the readiness probes and their watch,
/healthz, /readyz and /metrics; POST /api/v1/summaries goes to `UploadApi`."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import hdrs, web
from aiohttp.abc import AbstractAccessLogger

from bot import __version__, metrics
from bot.web.answers import error_response, retry_headers
from bot.web.api import API_PATH, PostSummary, UploadApi
from bot.web.config import MAX_FIELD_SIZE, MAX_HEADERS, MAX_LINE_SIZE, WebConfig
from bot.web.listener import Listener

if TYPE_CHECKING:
    from bot.service import SummaryService

log = logging.getLogger("precis.web")

Probe = Callable[[], Awaitable[bool] | bool]


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
        self._stopping = False
        self._runner: web.AppRunner | None = None
        self._listener: Listener | None = None
        self._watch: asyncio.Task[None] | None = None
        self.api = UploadApi(config, service, post_summary, stopping=lambda: self._stopping)
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
            # aiohttp closes a connection that has sent no whole request head this long
            # after it opened (or after its last answer): a half-sent head included.
            keepalive_timeout=self.config.head_timeout,
            max_line_size=MAX_LINE_SIZE,
            max_field_size=MAX_FIELD_SIZE,
            max_headers=MAX_HEADERS,
            auto_decompress=False,  # bot.web.body decodes, under the size limit
            # A client that hangs up cancels its handler, and so stops its summary (its
            # worker process is killed): no slot is held for an answer nobody reads.
            handler_cancellation=True,
        )
        await self._runner.setup()
        assert self._runner.server is not None
        self.started = self._tick = time.monotonic()
        self._listener = Listener(self._runner.server, self.config.max_connections)
        try:
            await self._listener.start(self.config.host, self.config.port)
        except OSError as exc:
            await self._runner.cleanup()
            self._runner = self._listener = None
            raise OSError(
                exc.errno,
                f"cannot listen on {self.config.host}:{self.config.port} ({exc.strerror}); "
                "set WEB_PORT to a free port or WEB_ENABLED=false",
            ) from None
        self._watch = asyncio.create_task(self._watch_loop(), name="precis-web-watch")
        log.info(
            "web listening on http://%s:%d (upload API %s)",
            self.config.host, self.port, "on" if self.api.enabled else "off: no API_TOKEN",
        )  # fmt: skip

    @property
    def port(self) -> int:
        port = self._listener.port if self._listener is not None else None
        return self.config.port if port is None else port

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
        if self._listener is not None:
            self._listener.close()  # no new connections; aiohttp closes the open ones
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._listener is not None:
            await self._listener.wait_closed()
            self._listener = None

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
            return error_response(exc.status, exc.reason, headers=retry_headers(exc))

    # ------------------------------------------------------------------ the upload API

    async def summaries(self, request: web.Request) -> web.StreamResponse:
        """POST /api/v1/summaries, answered by the upload API (bot.web.api)."""
        return await self.api.summaries(request)
