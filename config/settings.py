"""All configuration, read from the environment (and `.env`) by pydantic-settings.

Every variable is documented in `config/example.env` and the README.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.options import (
    DEFAULT_ALGORITHM,
    DEFAULT_SENTENCES,
    SENTENCES_MAX,
    SENTENCES_MIN,
    check_algorithm,
)

DISCORD_API_BASE = "https://discord.com/api/v10"
DISCORD_GATEWAY = "wss://gateway.discord.gg/"


# The auto-archive durations Discord allows for a thread (1 hour, 1 day, 3 days, 1 week).
THREAD_ARCHIVE_MINUTES = (60, 1440, 4320, 10080)


class Settings(BaseSettings):
    # env_ignore_empty: `DEV_GUILD_ID=` (as in config/example.env) means "not set", for
    # every setting, in .env and in the environment (`podman run --env-file`) alike.
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        env_ignore_empty=True,
    )

    # Discord
    discord_token: SecretStr | None = None
    dev_guild_id: int | None = None
    discord_api_base: str = DISCORD_API_BASE
    discord_gateway_url: str = DISCORD_GATEWAY
    # Shards: unset = one unsharded connection (the default). A number, or "auto" (ask
    # Discord, GET /gateway/bot), runs discord.py's sharded client; SHARD_IDS (comma list,
    # each < SHARD_COUNT) are the shards this process connects, the others' are left to
    # other `precis run` processes with the same SHARD_COUNT.
    shard_count: int | Literal["auto"] | None = None
    shard_ids: Annotated[list[int] | None, NoDecode] = None

    # Storage
    database_url: str = "sqlite+aiosqlite:///data/precis.sqlite3"

    # Summaries
    default_sentences: int = Field(
        default=DEFAULT_SENTENCES, ge=SENTENCES_MIN, le=SENTENCES_MAX
    )
    algorithm: str = DEFAULT_ALGORITHM

    # Limits
    max_file_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    max_fetch_bytes: int = Field(default=5 * 1024 * 1024, gt=0)
    fetch_timeout: float = Field(default=15.0, gt=0)
    # Links are untrusted: loopback, private, link-local and multicast addresses are
    # refused unless listed here (comma-separated CIDRs, e.g. 127.0.0.1/32 for tests).
    fetch_allowed_networks: Annotated[list[str], NoDecode] = Field(default_factory=list)
    allow_private_addresses: bool = False  # allow every address (trusted networks only)
    user_cooldown_seconds: float = Field(default=10.0, ge=0)
    max_concurrent_summaries: int = Field(default=4, ge=1)
    # Each summary runs in a worker process, killed past these (untrusted input).
    summary_timeout: float = Field(default=30.0, gt=0)
    summary_memory_mb: int = Field(default=1024, ge=0)  # 0: no memory limit

    # Feeds
    feed_poll_interval: float = Field(default=300.0, ge=1)
    feed_max_items_per_poll: int = Field(default=5, ge=1)
    feed_failure_notice_after: int = Field(default=3, ge=1)
    feed_per_host_limit: int = Field(default=2, ge=1)
    feed_global_limit: int = Field(default=10, ge=1)
    feed_retry_seconds: float = Field(default=30.0, gt=0)  # first retry of a failed post
    # Minutes without activity before a forum post or a post's thread is archived.
    feed_thread_archive_minutes: int = 1440
    # Same-story grouping: an item that is the same story as a post its channel got in the
    # last STORY_WINDOW_HOURS is added to that post ("Also covered by"); 0 turns it off.
    story_window_hours: float = Field(default=36.0, ge=0, le=24 * 30)
    story_max_outlets: int = Field(default=5, ge=1, le=20)  # outlets linked; the rest counted
    # `precis run` polls and posts the feeds itself (one container). False: it leaves them
    # to `precis worker` processes sharing its PostgreSQL database.
    feeds_in_gateway: bool = True
    # The name a process claims feed work under; unique per process sharing a database,
    # and the same after a restart (it then takes its claims back at once). Default: "main"
    # for `precis run`, the host name for `precis worker`.
    feed_worker_name: str | None = Field(default=None, max_length=64)
    # How long a claimed poll / post stays a worker's: a killed worker's work is taken
    # over by the others after this.
    feed_poll_lease_seconds: float = Field(default=600.0, ge=5)
    feed_delivery_lease_seconds: float = Field(default=300.0, ge=5)
    # Requests per second to Discord for all processes together (Discord's global limit
    # is 50); counted in the database when it is PostgreSQL.
    discord_global_rate: int = Field(default=50, ge=1)

    # Web: /healthz, /readyz, /metrics and the upload API (bot/web/)
    web_enabled: bool = False  # the container image turns it on
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=0, le=65535)
    # Bearer token for POST /api/v1/summaries (secret: never logged); unset = the API is off.
    api_token: SecretStr | None = None
    # Channel ids the API may post summaries to (comma-separated); empty = none.
    api_allowed_channels: Annotated[list[int], NoDecode] = Field(default_factory=list)

    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return value

    @field_validator("feed_thread_archive_minutes")
    @classmethod
    def _archive(cls, value: int) -> int:
        if value not in THREAD_ARCHIVE_MINUTES:
            allowed = ", ".join(str(v) for v in THREAD_ARCHIVE_MINUTES)
            raise ValueError(f"must be one of Discord's durations: {allowed} (minutes)")
        return value

    @field_validator("algorithm")
    @classmethod
    def _algorithm(cls, value: str) -> str:
        return check_algorithm(value.strip())  # a typo stops the bot at start, in one line

    @field_validator("log_format", mode="before")
    @classmethod
    def _format(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("api_token", mode="before")
    @classmethod
    def _token(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return None  # API_TOKEN= in .env: the API stays off
            if len(value) < 16:
                raise ValueError("must be at least 16 characters (try: openssl rand -hex 32)")
        return value

    @field_validator("api_allowed_channels", mode="before")
    @classmethod
    def _channels(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("fetch_allowed_networks", mode="before")
    @classmethod
    def _networks(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list):
            for item in value:
                ipaddress.ip_network(str(item), strict=False)  # ValueError names the bad one
        return value

    @field_validator("shard_count", mode="before")
    @classmethod
    def _shard_count(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().lower()
            if value != "auto" and not value.isdigit():
                raise ValueError("must be a whole number of shards (1 or more), or auto")
            value = value if value == "auto" else int(value)
        if isinstance(value, int) and value < 1:
            raise ValueError("must be a whole number of shards (1 or more), or auto")
        return value

    @field_validator("shard_ids", mode="before")
    @classmethod
    def _shard_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            if not all(part.isdigit() for part in parts):
                raise ValueError(f"must be shard numbers separated by commas, not {value!r}")
            return [int(part) for part in parts] or None
        return value

    @model_validator(mode="after")
    def _shards(self) -> Settings:
        ids = self.shard_ids
        if not ids:
            self.shard_ids = None
            return self
        if not isinstance(self.shard_count, int):
            # Processes that split the shards must agree on their number; asking Discord
            # at different times could give different answers (and lose or double guilds).
            raise ValueError("SHARD_IDS needs SHARD_COUNT set to a number (not auto or unset)")
        bad = sorted({i for i in ids if i >= self.shard_count})
        if bad:
            raise ValueError(
                f"SHARD_IDS {', '.join(map(str, bad))}: shards are numbered 0 to "
                f"{self.shard_count - 1} when SHARD_COUNT is {self.shard_count}"
            )
        if len(set(ids)) != len(ids):
            raise ValueError("SHARD_IDS lists a shard twice")
        return self

    @property
    def sharded(self) -> bool:
        """Run discord.py's sharded client (SHARD_COUNT is set)."""
        return self.shard_count is not None

    @property
    def sqlite_path(self) -> Path | None:
        """The database file when the URL is SQLite, so its folder can be created."""
        prefix = "sqlite+aiosqlite:///"
        if self.database_url.startswith(prefix):
            return Path(self.database_url[len(prefix) :])
        return None


class SettingsError(Exception):
    """Invalid configuration; the message is one readable line."""


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning pydantic's report into one line that names each bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            name = ".".join(str(part) for part in err["loc"]).upper()
            message = str(err["msg"]).removeprefix("Value error, ")
            # A check across settings names them itself.
            problems.append(f"{name}: {message}" if name else message)
        raise SettingsError("Invalid settings: " + "; ".join(problems)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
