"""WebConfig: where the web side listens, the upload API's token and limits, probe timing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

if TYPE_CHECKING:
    from config.settings import Settings

MULTIPART_SLACK = 64 * 1024  # boundaries, part headers and the small fields

# Request heads and each multipart part's headers are cut at these (aiohttp's defaults,
# named here because the multipart reader is given them too): in a part, a longer line
# is a 413 and more lines a 400; a request head beyond them gets aiohttp's own 400.
MAX_LINE_SIZE = 8190  # the request line
MAX_FIELD_SIZE = 8190  # one header line
MAX_HEADERS = 128  # header lines in a request head or in one multipart part
# Connections that arrive while the listening socket's queue is full wait in the kernel.
BACKLOG = 128


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
    # A connection must send a whole request head within this many seconds of opening (or
    # of its previous answer); an idle keep-alive connection is closed after as long. A
    # reverse proxy that reuses connections should drop idle ones sooner than this.
    head_timeout: float = 20.0
    # Open connections at once; more are answered 503 and closed at once. Far above what
    # the API admits (max_pending) plus the probes and scrapes, and far below the 1,024
    # files a process may often open, which the bot shares with Discord, the database
    # and its fetches.
    max_connections: int = 256

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
