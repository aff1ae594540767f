"""The database connection: engine, migrations, transactions.

SQLAlchemy 2 (asyncio) Core with portable SQL only: an SQLite file by default
(WAL, busy_timeout, foreign keys on), PostgreSQL through the same URL.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Self

import sqlalchemy as sa
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
HEAD = "head"
SQLITE_BUSY_TIMEOUT_MS = 10_000


def _is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def _engine(url: str, *, foreign_keys: bool) -> AsyncEngine:
    kwargs: dict[str, Any] = {}
    if _is_sqlite(url) and _sqlite_file(url) is None:
        kwargs["poolclass"] = StaticPool  # one shared in-memory database
    engine = create_async_engine(url, **kwargs)
    if _is_sqlite(url):

        @sa.event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            try:
                if _sqlite_file(url) is not None:
                    cursor.execute("PRAGMA journal_mode=WAL")
                    cursor.execute("PRAGMA synchronous=NORMAL")
                cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
                cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
            finally:
                cursor.close()

    return engine


def _alembic_upgrade(connection: Connection, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def _alembic_current(connection: Connection) -> str | None:
    from alembic.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


async def migrate(url: str, revision: str = HEAD) -> str | None:
    """Bring the database at `url` to `revision` (default: the newest); returns it.

    Runs on its own connection with SQLite's foreign keys off, so a migration that
    rebuilds a table can never cascade-delete the rows that point at it.
    """
    path = _sqlite_file(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = _engine(url, foreign_keys=False)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_alembic_upgrade, revision)
        async with engine.connect() as conn:
            return await conn.run_sync(_alembic_current)
    finally:
        await engine.dispose()


class Database:
    """An open database; `Store` adds the feed queries. Open with `await Store.open(url)`."""

    def __init__(self, engine: AsyncEngine, url: str) -> None:
        self.engine = engine
        self.url = url
        # SQLite has one writer; serializing our own write transactions avoids
        # SQLITE_BUSY on read-to-write upgrades (which busy_timeout cannot help).
        self._write_lock: asyncio.Lock | None = asyncio.Lock() if _is_sqlite(url) else None

    @classmethod
    async def open(cls, url: str) -> Self:
        """Create the SQLite folder if needed, run the migrations, return the store."""
        await migrate(url)
        return cls(_engine(url, foreign_keys=True), url)

    async def close(self) -> None:
        await self.engine.dispose()

    @contextlib.asynccontextmanager
    async def _write(self) -> AsyncIterator[AsyncConnection]:
        if self._write_lock is None:
            async with self.engine.begin() as conn:
                yield conn
            return
        async with self._write_lock, self.engine.begin() as conn:
            yield conn

    @contextlib.asynccontextmanager
    async def _read(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as conn:
            yield conn

    async def revision(self) -> str | None:
        async with self._read() as conn:
            return await conn.run_sync(_alembic_current)

    async def ping(self) -> bool:
        try:
            async with self._read() as conn:
                await conn.execute(sa.select(1))
            return True
        except Exception:
            return False
