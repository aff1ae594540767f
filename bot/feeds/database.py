"""The database connection: engine, migrations, transactions, reconnecting.

SQLAlchemy 2 (asyncio) Core with portable SQL only: an SQLite file by default
(WAL, busy_timeout, foreign keys on), PostgreSQL (asyncpg) through the same URL.

A lost connection is survived: on PostgreSQL the pool pings a connection before handing it
out (a server restart leaves only dead ones), and every public query method of the store
is retried when its connection was lost or could not be made (`_retrying`): its
transaction was rolled back, so running it again is exact. (A connection lost during the
COMMIT itself is ambiguous; a repeat then loses and duplicates nothing — items are
deduplicated by key, completions are fenced by tokens, posts carry nonces — at worst it
counts an attempt twice or holds a second claim until its lease expires.)
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import logging
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, Self, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

from bot.feeds.schema import metadata

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
HEAD = "head"
SQLITE_BUSY_TIMEOUT_MS = 10_000
RECONNECT_ATTEMPTS = 8  # about 16 s of waiting in all: a restart takes a few seconds
RECONNECT_DELAY = 0.2  # doubles each attempt, at most RECONNECT_DELAY_MAX
RECONNECT_DELAY_MAX = 5.0

log = logging.getLogger("precis.feeds")
T = TypeVar("T")


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
    if not _is_sqlite(url):
        kwargs["pool_pre_ping"] = True  # a pooled connection may predate a server restart
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


# Several processes (shards, workers) start together on one database: one migrates, the
# others wait and then find nothing to do, instead of creating the same tables at once
# ("table feeds already exists"). PostgreSQL: a transaction-scoped advisory lock (this
# key); SQLite: flock on a file beside the database (never on the database file itself:
# closing another descriptor of it would drop SQLite's own POSIX locks).
_LOCK_KEY = 0x70726563  # "prec"


@contextlib.asynccontextmanager
async def _beside_lock(sqlite_path: Path | None, name: str) -> AsyncIterator[None]:
    """flock on the file `<database>.<name>` beside an SQLite database, waited for off the
    event loop; nothing when there is no file (in memory, or not SQLite)."""
    if sqlite_path is None:
        yield
        return
    import fcntl

    with open(sqlite_path.with_name(f"{sqlite_path.name}.{name}"), "a") as handle:
        await asyncio.to_thread(fcntl.flock, handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


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
        async with _beside_lock(path, "migrate-lock"), engine.begin() as conn:
            if not _is_sqlite(url):
                lock = sa.text("SELECT pg_advisory_xact_lock(:key)")
                await conn.execute(lock, {"key": _LOCK_KEY})
            await conn.run_sync(_alembic_upgrade, revision)
        async with engine.connect() as conn:
            return await conn.run_sync(_alembic_current)
    finally:
        await engine.dispose()


def head_revision() -> str | None:
    """The newest revision this version's migrations know."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


async def current_revision(url: str) -> str | None:
    """The revision the database at `url` is at (None: no schema yet), read without
    migrating or creating anything; raises when the database cannot be reached (an SQLite
    file that does not exist: FileNotFoundError)."""
    path = _sqlite_file(url)
    if path is not None and not path.is_file():
        raise FileNotFoundError(f"no database file at {path}")
    engine = _engine(url, foreign_keys=True)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(_alembic_current)
    finally:
        await engine.dispose()


# SQLSTATEs of a server going away or not there yet: connection exceptions (class 08),
# admin/crash shutdown (57P01, 57P02), "the database system is starting up/shutting down".
_GONE_STATES = ("08", "57P01", "57P02", "57P03")


def lost_connection(exc: BaseException) -> bool:
    """The connection broke or could not be made (server restarted, network down) — as
    opposed to an error in the query, which a retry would only repeat."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError):
            return True
        state = getattr(seen, "sqlstate", None)
        if isinstance(state, str) and state.startswith(_GONE_STATES):
            return True
        seen = seen.__cause__ or (seen.orig if isinstance(seen, DBAPIError) else None)
    return False


def _retrying(method: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
    @functools.wraps(method)
    async def run(self: Any, *args: Any, **kwargs: Any) -> T:
        delay = RECONNECT_DELAY
        for attempt in range(1, RECONNECT_ATTEMPTS + 1):
            try:
                return await method(self, *args, **kwargs)
            except Exception as exc:
                if attempt == RECONNECT_ATTEMPTS or not lost_connection(exc):
                    raise
                log.warning(
                    "database connection lost in %s (%s); retrying in %.1f s",
                    method.__name__, type(exc).__name__, delay,
                )  # fmt: skip
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_DELAY_MAX)
        raise AssertionError("unreachable")

    run.__dict__["_retrying"] = True
    return run


_TURN_LOCKS = 0x636C6D73  # "clms": the advisory-lock class of `take_turns`


async def take_turns(conn: AsyncConnection, name: str) -> None:
    """PostgreSQL: the rest of this transaction runs while no other transaction that took
    turns on `name` runs (a transaction advisory lock). Claims take turns: two at once
    each read the other's rows as still free in their snapshots, and while the lease
    re-check on each row keeps a post from being taken twice, it does not keep a
    subscription's item 5 from being taken while another worker takes items 1-4 (an
    out-of-order post; seen once in CI). SQLite runs one write at a time anyway."""
    if conn.dialect.name == "postgresql":
        lock = sa.text("SELECT pg_advisory_xact_lock(:cls, :key)")
        await conn.execute(lock, {"cls": _TURN_LOCKS, "key": zlib.crc32(name.encode()) >> 1})


async def reset_sequences(conn: AsyncConnection) -> None:
    """PostgreSQL: move every table's id sequence past the largest id in use (needed after
    rows were written with explicit ids: an import, a copy). Nothing to do on SQLite."""
    if conn.dialect.name != "postgresql":
        return
    present = set(await conn.run_sync(lambda sync: sa.inspect(sync).get_table_names()))
    for table in metadata.sorted_tables:
        if "id" not in table.c or table.name not in present:
            continue
        await conn.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
            )
        )


class Database:
    """An open database; `Store` adds the feed queries. Open with `await Store.open(url)`.

    Every public coroutine method a subclass defines is retried on a lost connection
    (`_retrying`, applied by `__init_subclass__`)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, value in list(vars(cls).items()):
            if name.startswith("_") or not inspect.iscoroutinefunction(value):
                continue
            if not getattr(value, "_retrying", False):
                setattr(cls, name, _retrying(value))

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
    async def _held(self, name: str, lock_class: int, key: int) -> AsyncIterator[None]:
        """A lock across processes, held while the block runs. PostgreSQL: a transaction
        advisory lock (`lock_class`, `key` folded to 31 bits: a rare clash only waits) on
        a connection of its own, freed when that transaction ends however the block
        ends (an error, a cancellation, the process dying); SQLite: flock on the file
        `<database>.<name>`, one for every key."""
        if _is_sqlite(self.url):
            async with _beside_lock(_sqlite_file(self.url), name):
                yield
            return
        lock = sa.text("SELECT pg_advisory_xact_lock(:cls, :key)")
        async with self.engine.begin() as conn:
            await conn.execute(lock, {"cls": lock_class, "key": key % 2**31})
            yield

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
