"""Subscriptions, feed state, seen items, the delivery queue and notices, in a real database.

SQLAlchemy 2 (asyncio) Core with portable SQL only: an SQLite file by default
(WAL, busy_timeout, foreign keys on), PostgreSQL through the same URL. The
schema is versioned by the Alembic migrations in `bot/migrations`, which
`Store.open` runs first, so an upgrade keeps every row.

Model: `items` is what a feed has ever shown (its "seen" set); `deliveries`
is the per-subscription queue. An item becomes delivered only when the sink
said it was sent; until then its delivery stays `pending` and is retried —
across restarts, since it lives here. Every state change a poll causes
(new items, their deliveries, the feed's ETag, notices) is one transaction,
so a crash can neither lose an item nor record it twice.

Rows are returned as frozen dataclasses; no ORM object leaves this module.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import logging
from collections.abc import AsyncIterator, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

from bot.errors import InputError
from bot.ingest.feeds import FeedItem, matches_filters

log = logging.getLogger("precis.store")

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
HEAD = "head"
SQLITE_BUSY_TIMEOUT_MS = 10_000
_CHUNK = 400  # bound parameters per IN (...) list: well under every backend's limit

# --------------------------------------------------------------------------- schema (head)

metadata = sa.MetaData()

feeds = sa.Table(
    "feeds",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("url", sa.String(2048), nullable=False),
    sa.Column("title", sa.String(256), nullable=False),
    sa.Column("site_link", sa.Text, nullable=True),
    sa.Column("etag", sa.String(512), nullable=True),
    sa.Column("last_modified", sa.String(128), nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_attempt", sa.DateTime, nullable=True),
    sa.Column("last_success", sa.DateTime, nullable=True),
    sa.Column("failure_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("failing_since", sa.DateTime, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("failure_notified", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("next_poll", sa.DateTime, nullable=False),
    sa.Column("item_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("host", sa.String(255), nullable=False, server_default=""),
    sa.UniqueConstraint("url", name="uq_feeds_url"),
    sa.Index("ix_feeds_next_poll", "next_poll"),
)

subscriptions = sa.Table(
    "subscriptions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("feed_id", sa.Integer, sa.ForeignKey("feeds.id", ondelete="CASCADE"), nullable=False),
    sa.Column("guild_id", sa.BigInteger, nullable=False),
    sa.Column("channel_id", sa.BigInteger, nullable=False),
    sa.Column("sentences", sa.Integer, nullable=False, server_default="3"),
    sa.Column("include", sa.JSON, nullable=False),
    sa.Column("exclude", sa.JSON, nullable=False),
    sa.Column("paused", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("paused_reason", sa.Text, nullable=True),
    sa.Column("paused_at", sa.DateTime, nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("created_by", sa.BigInteger, nullable=True),
    sa.UniqueConstraint("feed_id", "channel_id", name="uq_subscriptions_feed_channel"),
    sa.Index("ix_subscriptions_guild_id", "guild_id"),
    sa.Index("ix_subscriptions_channel_id", "channel_id"),
)

items = sa.Table(
    "items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("feed_id", sa.Integer, sa.ForeignKey("feeds.id", ondelete="CASCADE"), nullable=False),
    sa.Column("key", sa.String(40), nullable=False),
    sa.Column("fingerprint", sa.String(40), nullable=True),
    sa.Column("guid", sa.Text, nullable=True),
    sa.Column("link", sa.Text, nullable=True),
    sa.Column("title", sa.Text, nullable=True),
    sa.Column("published", sa.DateTime, nullable=True),
    sa.Column("author", sa.Text, nullable=True),
    sa.Column("content", sa.Text, nullable=True),
    sa.Column("first_seen", sa.DateTime, nullable=False),
    sa.Column("last_seen", sa.DateTime, nullable=True),
    sa.UniqueConstraint("feed_id", "key", name="uq_items_feed_key"),
    sa.Index("ix_items_feed_fingerprint", "feed_id", "fingerprint"),
    sa.Index("ix_items_feed_last_seen", "feed_id", "last_seen"),
)

deliveries = sa.Table(
    "deliveries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "subscription_id",
        sa.Integer,
        sa.ForeignKey("subscriptions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt", sa.DateTime, nullable=False),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("message_id", sa.BigInteger, nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("sent_at", sa.DateTime, nullable=True),
    sa.UniqueConstraint("subscription_id", "item_id", name="uq_deliveries_sub_item"),
    sa.Index("ix_deliveries_status_next", "status", "next_attempt"),
)

notices = sa.Table(
    "notices",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("guild_id", sa.BigInteger, nullable=False),
    sa.Column("channel_id", sa.BigInteger, nullable=False),
    sa.Column(
        "subscription_id",
        sa.Integer,
        sa.ForeignKey("subscriptions.id", ondelete="SET NULL"),
        nullable=True,
    ),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt", sa.DateTime, nullable=False),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("sent_at", sa.DateTime, nullable=True),
    sa.Index("ix_notices_status_next", "status", "next_attempt"),
)

PENDING, SENT, FAILED, DROPPED = "pending", "sent", "failed", "dropped"

# --------------------------------------------------------------------------- rows


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _db(value: dt.datetime | None) -> dt.datetime | None:
    """Aware -> naive UTC, the one form stored (portable across SQLite and PostgreSQL)."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def delivery_nonce(subscription_id: int, item_key: str) -> str:
    """Deterministic Discord nonce (25 characters) for one item in one subscription.

    Sent with `enforce_nonce`, it makes a repeated send after a crash return the
    message Discord already created instead of posting it again.
    """
    return hashlib.sha256(f"precis:{subscription_id}:{item_key}".encode()).hexdigest()[:25]


@dataclass(frozen=True)
class FeedRow:
    id: int
    url: str
    host: str
    title: str
    site_link: str | None
    etag: str | None
    last_modified: str | None
    created_at: dt.datetime
    last_attempt: dt.datetime | None
    last_success: dt.datetime | None
    failure_count: int
    failing_since: dt.datetime | None
    last_error: str | None
    failure_notified: bool
    next_poll: dt.datetime
    item_count: int


@dataclass(frozen=True)
class Subscription:
    id: int
    feed_id: int
    guild_id: int
    channel_id: int
    sentences: int
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    paused: bool
    paused_reason: str | None
    paused_at: dt.datetime | None
    created_at: dt.datetime
    created_by: int | None
    feed_url: str
    feed_title: str
    last_success: dt.datetime | None
    failure_count: int
    failing_since: dt.datetime | None
    last_error: str | None
    next_poll: dt.datetime

    @property
    def status(self) -> str:
        """`paused`, `failing` or `healthy` (`new` before the first successful poll)."""
        if self.paused:
            return "paused"
        if self.failure_count > 0:
            return "failing"
        return "healthy" if self.last_success else "new"

    def describe_status(self) -> str:
        """One line for `/feed list`."""
        if self.paused:
            return "paused" + (f" ({self.paused_reason})" if self.paused_reason else "")
        if self.failure_count > 0 and self.failing_since:
            since = self.failing_since.strftime("%Y-%m-%d %H:%M UTC")
            text = f"failing since {since} ({self.failure_count} failures)"
            return text + (f": {self.last_error}" if self.last_error else "")
        return "healthy" if self.last_success else "waiting for the first poll"


@dataclass(frozen=True)
class StoredItem:
    id: int
    feed_id: int
    key: str
    guid: str | None
    link: str | None
    title: str | None
    published: dt.datetime | None
    author: str | None
    summary_html: str | None


@dataclass(frozen=True)
class Delivery:
    """One item to post in one channel; `nonce` goes to Discord with enforce_nonce."""

    id: int
    subscription_id: int
    guild_id: int
    channel_id: int
    feed_id: int
    feed_title: str
    feed_url: str
    item: StoredItem
    sentences: int
    nonce: str
    attempts: int


@dataclass(frozen=True)
class Notice:
    id: int
    guild_id: int
    channel_id: int
    subscription_id: int | None
    kind: str  # failing | recovered | flood | paused | removed
    text: str
    attempts: int


@dataclass(frozen=True)
class IngestResult:
    new_items: int = 0
    queued: int = 0  # deliveries created
    capped: dict[int, int] = field(default_factory=dict)  # subscription id -> items skipped
    recovered: bool = False
    churned: int = 0  # items whose GUID changed but whose title + link were known


@dataclass(frozen=True)
class FailureResult:
    failures: int
    notified: bool  # this failure crossed the threshold: channels were told


@dataclass(frozen=True)
class FeedState:
    """What a successful fetch says about the feed (None when the server said 304)."""

    etag: str | None
    last_modified: str | None
    title: str | None = None
    site_link: str | None = None


class AlreadySubscribed(InputError):
    pass


# --------------------------------------------------------------------------- notice texts


def _md(text: str) -> str:
    """A feed title safe inside bold Markdown."""
    for char in "\\*_~`|>":
        text = text.replace(char, "\\" + char)
    return text.replace("\n", " ")[:200]


def failing_text(title: str, failures: int, since: dt.datetime | None, error: str | None) -> str:
    when = f" since {since:%Y-%m-%d %H:%M} UTC" if since else ""
    reason = f" Last error: {error}" if error else ""
    return (
        f"\u26a0\ufe0f The feed **{_md(title)}** has failed {failures} times in a row{when}."
        f"{reason} I'll keep trying, less often, and say so here when it works again."
    )


def recovered_text(title: str) -> str:
    return f"\u2705 The feed **{_md(title)}** works again; new items will be posted as usual."


def flood_text(title: str, total: int, posted: int) -> str:
    return (
        f"The feed **{_md(title)}** published {total} new items at once. I'm posting the "
        f"{posted} newest and marked the other {total - posted} as seen."
    )


def paused_text(title: str, channel_id: int, reason: str) -> str:
    return (
        f"I paused the feed **{_md(title)}** in <#{channel_id}>: {reason}. "
        "Fix that, then use `/feed resume` to start again."
    )


# --------------------------------------------------------------------------- migrations


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


# --------------------------------------------------------------------------- the store


def _chunks(values: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


_SUB_COLUMNS = (
    subscriptions,
    feeds.c.url.label("feed_url"),
    feeds.c.title.label("feed_title"),
    feeds.c.last_success,
    feeds.c.failure_count,
    feeds.c.failing_since,
    feeds.c.last_error,
    feeds.c.next_poll,
)


def _subscription(row: Any) -> Subscription:
    m = row._mapping
    return Subscription(
        id=m["id"],
        feed_id=m["feed_id"],
        guild_id=int(m["guild_id"]),
        channel_id=int(m["channel_id"]),
        sentences=m["sentences"],
        include=tuple(m["include"] or ()),
        exclude=tuple(m["exclude"] or ()),
        paused=bool(m["paused"]),
        paused_reason=m["paused_reason"],
        paused_at=_aware(m["paused_at"]),
        created_at=_aware(m["created_at"]) or utcnow(),
        created_by=m["created_by"],
        feed_url=m["feed_url"],
        feed_title=m["feed_title"],
        last_success=_aware(m["last_success"]),
        failure_count=m["failure_count"],
        failing_since=_aware(m["failing_since"]),
        last_error=m["last_error"],
        next_poll=_aware(m["next_poll"]) or utcnow(),
    )


def _feed(row: Any) -> FeedRow:
    m = row._mapping
    return FeedRow(
        id=m["id"],
        url=m["url"],
        host=m["host"],
        title=m["title"],
        site_link=m["site_link"],
        etag=m["etag"],
        last_modified=m["last_modified"],
        created_at=_aware(m["created_at"]) or utcnow(),
        last_attempt=_aware(m["last_attempt"]),
        last_success=_aware(m["last_success"]),
        failure_count=m["failure_count"],
        failing_since=_aware(m["failing_since"]),
        last_error=m["last_error"],
        failure_notified=bool(m["failure_notified"]),
        next_poll=_aware(m["next_poll"]) or utcnow(),
        item_count=m["item_count"],
    )


def _item(m: Any, prefix: str = "") -> StoredItem:
    return StoredItem(
        id=m[prefix + "id"],
        feed_id=m[prefix + "feed_id"],
        key=m[prefix + "key"],
        guid=m[prefix + "guid"],
        link=m[prefix + "link"],
        title=m[prefix + "title"],
        published=_aware(m[prefix + "published"]),
        author=m[prefix + "author"],
        summary_html=m[prefix + "content"],
    )


class Store:
    """The database. Create with `await Store.open(url)`; close with `await store.close()`."""

    def __init__(self, engine: AsyncEngine, url: str) -> None:
        self.engine = engine
        self.url = url
        # SQLite has one writer; serializing our own write transactions avoids
        # SQLITE_BUSY on read-to-write upgrades (which busy_timeout cannot help).
        self._write_lock: asyncio.Lock | None = asyncio.Lock() if _is_sqlite(url) else None

    @classmethod
    async def open(cls, url: str) -> Store:
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

    # ------------------------------------------------------------------ feeds

    async def get_feed(self, feed_id: int) -> FeedRow | None:
        async with self._read() as conn:
            row = (await conn.execute(sa.select(feeds).where(feeds.c.id == feed_id))).first()
        return _feed(row) if row else None

    async def get_feed_by_url(self, url: str) -> FeedRow | None:
        async with self._read() as conn:
            row = (await conn.execute(sa.select(feeds).where(feeds.c.url == url))).first()
        return _feed(row) if row else None

    def _active_feed_clause(self) -> sa.ColumnElement[bool]:
        return sa.exists(
            sa.select(subscriptions.c.id).where(
                subscriptions.c.feed_id == feeds.c.id, subscriptions.c.paused == sa.false()
            )
        )

    async def due_feeds(
        self, now: dt.datetime, limit: int, exclude: Collection[int] = ()
    ) -> list[FeedRow]:
        """Feeds with at least one active subscription whose next poll is due, oldest due first."""
        query = (
            sa.select(feeds)
            .where(feeds.c.next_poll <= _db(now), self._active_feed_clause())
            .order_by(feeds.c.next_poll)
            .limit(limit + len(exclude))
        )
        async with self._read() as conn:
            rows = (await conn.execute(query)).all()
        return [_feed(r) for r in rows if r.id not in exclude][:limit]

    async def next_poll_at(self, exclude: Collection[int] = ()) -> dt.datetime | None:
        """When the next feed (with an active subscription, not in `exclude`) is due."""
        query = sa.select(sa.func.min(feeds.c.next_poll)).where(self._active_feed_clause())
        if exclude:
            query = query.where(feeds.c.id.not_in(list(exclude)))
        async with self._read() as conn:
            value = (await conn.execute(query)).scalar()
        return _aware(value)

    async def list_feeds(self) -> list[FeedRow]:
        async with self._read() as conn:
            rows = (await conn.execute(sa.select(feeds).order_by(feeds.c.id))).all()
        return [_feed(r) for r in rows]

    async def set_next_poll(self, feed_id: int, when: dt.datetime) -> None:
        async with self._write() as conn:
            await conn.execute(
                sa.update(feeds).where(feeds.c.id == feed_id).values(next_poll=_db(when))
            )

    # ------------------------------------------------------------------ poll outcomes

    async def record_success(
        self,
        feed_id: int,
        *,
        now: dt.datetime,
        next_poll: dt.datetime,
        state: FeedState | None,
        items: Sequence[FeedItem] | None,
        max_per_poll: int,
        quiet: bool = False,
    ) -> IngestResult:
        """A poll worked: record new items, queue their deliveries, update the feed — atomically.

        `state` / `items` are None when the server answered 304. With `quiet`, new
        items are only marked seen (e.g. catching up a feed whose subscriptions
        were all paused).
        """
        async with self._write() as conn:
            feed = (await conn.execute(sa.select(feeds).where(feeds.c.id == feed_id))).first()
            if feed is None:
                return IngestResult()
            result = IngestResult()
            if items is not None:
                result = await self._ingest(
                    conn, feed_id, feed.title if state is None else (state.title or feed.title),
                    items, now=now, max_per_poll=max_per_poll, quiet=quiet,
                )  # fmt: skip
            values: dict[str, Any] = {
                "last_attempt": _db(now),
                "last_success": _db(now),
                "failure_count": 0,
                "failing_since": None,
                "last_error": None,
                "failure_notified": False,
                "next_poll": _db(next_poll),
            }
            if state is not None:
                values.update(etag=state.etag, last_modified=state.last_modified)
                if state.title:
                    values["title"] = state.title[:256]
                if state.site_link:
                    values["site_link"] = state.site_link
            if items is not None:
                values["item_count"] = len(items)
            await conn.execute(sa.update(feeds).where(feeds.c.id == feed_id).values(**values))
            recovered = bool(feed.failure_notified)
            if recovered:
                title = values.get("title", feed.title)
                await self._notify_subscribers(
                    conn, feed_id, "recovered", recovered_text(title), now
                )
            return IngestResult(
                new_items=result.new_items,
                queued=result.queued,
                capped=result.capped,
                recovered=recovered,
                churned=result.churned,
            )

    async def record_failure(
        self,
        feed_id: int,
        *,
        now: dt.datetime,
        error: str,
        next_poll: dt.datetime,
        notice_after: int,
    ) -> FailureResult:
        """A poll failed: count it, schedule the next try; at the threshold, tell the channels."""
        async with self._write() as conn:
            feed = (await conn.execute(sa.select(feeds).where(feeds.c.id == feed_id))).first()
            if feed is None:
                return FailureResult(0, False)
            failures = feed.failure_count + 1
            since = feed.failing_since or _db(now)
            notify = failures >= notice_after and not feed.failure_notified
            await conn.execute(
                sa.update(feeds)
                .where(feeds.c.id == feed_id)
                .values(
                    last_attempt=_db(now),
                    failure_count=failures,
                    failing_since=since,
                    last_error=error[:1000],
                    next_poll=_db(next_poll),
                    failure_notified=feed.failure_notified or notify,
                )
            )
            if notify:
                text = failing_text(feed.title, failures, _aware(since), error[:300])
                await self._notify_subscribers(conn, feed_id, "failing", text, now)
            return FailureResult(failures, notify)

    async def _ingest(
        self,
        conn: AsyncConnection,
        feed_id: int,
        feed_title: str,
        batch: Sequence[FeedItem],
        *,
        now: dt.datetime,
        max_per_poll: int,
        quiet: bool,
    ) -> IngestResult:
        """Insert the items not seen before (by key, then by title + link), queue them."""
        keys = [it.key for it in batch]
        prints = [it.fingerprint for it in batch if it.fingerprint]
        known_keys: set[str] = set()
        known_prints: set[str] = set()
        for chunk in _chunks(keys):
            rows = await conn.execute(
                sa.select(items.c.key, items.c.fingerprint).where(
                    items.c.feed_id == feed_id, items.c.key.in_(chunk)
                )
            )
            for key, fp in rows.all():
                known_keys.add(key)
                if fp:
                    known_prints.add(fp)
        for chunk in _chunks(prints):
            rows = await conn.execute(
                sa.select(items.c.fingerprint).where(
                    items.c.feed_id == feed_id, items.c.fingerprint.in_(chunk)
                )
            )
            known_prints.update(row[0] for row in rows.all())
        fresh: list[FeedItem] = []
        churned = 0
        batch_prints: set[str] = set()
        for it in batch:
            if it.key in known_keys:
                continue
            if it.fingerprint and (
                it.fingerprint in known_prints or it.fingerprint in batch_prints
            ):
                churned += 1  # same title + link under a new GUID: not a new item
                continue
            if it.fingerprint:
                batch_prints.add(it.fingerprint)
            fresh.append(it)
        # Remember that these are still in the feed (retention keeps them while they are).
        for chunk in _chunks(keys):
            await conn.execute(
                sa.update(items)
                .where(items.c.feed_id == feed_id, items.c.key.in_(chunk))
                .values(last_seen=_db(now))
            )
        for chunk in _chunks(prints):
            await conn.execute(
                sa.update(items)
                .where(items.c.feed_id == feed_id, items.c.fingerprint.in_(chunk))
                .values(last_seen=_db(now))
            )
        if not fresh:
            return IngestResult(churned=churned)
        ids = await self._insert_items(conn, feed_id, fresh, now)
        if quiet:
            return IngestResult(new_items=len(fresh), churned=churned)
        subs = (
            await conn.execute(
                sa.select(subscriptions).where(
                    subscriptions.c.feed_id == feed_id, subscriptions.c.paused == sa.false()
                )
            )
        ).all()
        queued = 0
        capped: dict[int, int] = {}
        for sub in subs:
            wanted = [it for it in fresh if matches_filters(it, sub.include, sub.exclude)]
            if max_per_poll > 0 and len(wanted) > max_per_poll:
                capped[sub.id] = len(wanted) - max_per_poll
                await self._add_notice(
                    conn, sub.guild_id, sub.channel_id, sub.id, "flood",
                    flood_text(feed_title, len(wanted), max_per_poll), now,
                )  # fmt: skip
                wanted = wanted[-max_per_poll:]
            queued += await self._queue(conn, sub.id, [ids[it.key] for it in wanted], now)
        return IngestResult(new_items=len(fresh), queued=queued, capped=capped, churned=churned)

    async def _insert_items(
        self, conn: AsyncConnection, feed_id: int, fresh: Sequence[FeedItem], now: dt.datetime
    ) -> dict[str, int]:
        """Insert oldest first, so item ids order deliveries oldest first."""
        ids: dict[str, int] = {}
        stamp = _db(now)
        for it in fresh:
            new_id = (
                await conn.execute(
                    sa.insert(items)
                    .values(
                        feed_id=feed_id,
                        key=it.key,
                        fingerprint=it.fingerprint,
                        guid=it.guid,
                        link=it.link,
                        title=it.title,
                        published=_db(it.published),
                        author=it.author,
                        content=it.summary_html,
                        first_seen=stamp,
                        last_seen=stamp,
                    )
                    .returning(items.c.id)
                )
            ).scalar_one()
            ids[it.key] = new_id
        return ids

    async def _queue(
        self, conn: AsyncConnection, subscription_id: int, item_ids: Sequence[int], now: dt.datetime
    ) -> int:
        if not item_ids:
            return 0
        stamp = _db(now)
        await conn.execute(
            sa.insert(deliveries),
            [
                {
                    "subscription_id": subscription_id,
                    "item_id": item_id,
                    "status": PENDING,
                    "attempts": 0,
                    "next_attempt": stamp,
                    "created_at": stamp,
                }
                for item_id in item_ids
            ],
        )
        return len(item_ids)

    # ------------------------------------------------------------------ subscriptions

    async def add_subscription(
        self,
        *,
        feed_url: str,
        feed_title: str,
        site_link: str | None,
        state: FeedState,
        items_now: Sequence[FeedItem],
        guild_id: int,
        channel_id: int,
        sentences: int,
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
        backlog: bool = False,
        max_backlog: int = 50,
        max_per_poll: int = 5,
        now: dt.datetime,
        next_poll: dt.datetime,
        created_by: int | None = None,
    ) -> Subscription:
        """Subscribe a channel to a feed just fetched, without flooding it.

        The feed's current items become seen; the new subscription gets only the
        newest one that passes its filters — or, with `backlog`, up to
        `max_backlog` of them, oldest first. When the feed already exists, the
        fetched items first go through the normal path, so the channels already
        subscribed get anything new.
        """
        async with self._write() as conn:
            row = (await conn.execute(sa.select(feeds).where(feeds.c.url == feed_url))).first()
            if row is None:
                feed_id = (
                    await conn.execute(
                        sa.insert(feeds)
                        .values(
                            url=feed_url,
                            host=(urlsplit(feed_url).hostname or "")[:255],
                            title=feed_title[:256],
                            site_link=site_link,
                            etag=state.etag,
                            last_modified=state.last_modified,
                            created_at=_db(now),
                            last_attempt=_db(now),
                            last_success=_db(now),
                            failure_count=0,
                            failure_notified=False,
                            next_poll=_db(next_poll),
                            item_count=len(items_now),
                        )
                        .returning(feeds.c.id)
                    )
                ).scalar_one()
            else:
                feed_id = row.id
                existing = (
                    await conn.execute(
                        sa.select(subscriptions.c.id).where(
                            subscriptions.c.feed_id == feed_id,
                            subscriptions.c.channel_id == channel_id,
                        )
                    )
                ).first()
                if existing is not None:
                    raise AlreadySubscribed(
                        f"<#{channel_id}> already follows **{_md(row.title)}** "
                        f"(subscription {existing.id})."
                    )
                await conn.execute(
                    sa.update(feeds)
                    .where(feeds.c.id == feed_id)
                    .values(
                        etag=state.etag,
                        last_modified=state.last_modified,
                        title=feed_title[:256],
                        item_count=len(items_now),
                    )
                )
            await self._ingest(
                conn, feed_id, feed_title, items_now,
                now=now, max_per_poll=max_per_poll, quiet=row is None,
            )  # fmt: skip
            sub_id = (
                await conn.execute(
                    sa.insert(subscriptions)
                    .values(
                        feed_id=feed_id,
                        guild_id=guild_id,
                        channel_id=channel_id,
                        sentences=sentences,
                        include=list(include),
                        exclude=list(exclude),
                        paused=False,
                        created_at=_db(now),
                        created_by=created_by,
                    )
                    .returning(subscriptions.c.id)
                )
            ).scalar_one()
            wanted = [it for it in items_now if matches_filters(it, include, exclude)]
            wanted = wanted[-max_backlog:] if backlog else wanted[-1:]
            ids = await self._item_ids(conn, feed_id, wanted)
            await self._queue(conn, sub_id, [ids[it.key] for it in wanted if it.key in ids], now)
            sub = (
                await conn.execute(
                    sa.select(*_SUB_COLUMNS)
                    .join(feeds, feeds.c.id == subscriptions.c.feed_id)
                    .where(subscriptions.c.id == sub_id)
                )
            ).one()
            return _subscription(sub)

    async def _item_ids(
        self, conn: AsyncConnection, feed_id: int, wanted: Sequence[FeedItem]
    ) -> dict[str, int]:
        """Ids of items by key, or by fingerprint for items whose GUID churned."""
        found: dict[str, int] = {}
        keys = [it.key for it in wanted]
        for chunk in _chunks(keys):
            rows = await conn.execute(
                sa.select(items.c.key, items.c.id).where(
                    items.c.feed_id == feed_id, items.c.key.in_(chunk)
                )
            )
            found.update({k: i for k, i in rows.all()})
        for it in wanted:
            if it.key not in found and it.fingerprint:
                row = (
                    await conn.execute(
                        sa.select(items.c.id)
                        .where(items.c.feed_id == feed_id, items.c.fingerprint == it.fingerprint)
                        .order_by(items.c.id.desc())
                        .limit(1)
                    )
                ).first()
                if row is not None:
                    found[it.key] = row.id
        return found

    def _sub_query(self) -> sa.Select[Any]:
        return sa.select(*_SUB_COLUMNS).join(feeds, feeds.c.id == subscriptions.c.feed_id)

    async def get_subscription(
        self, subscription_id: int, *, guild_id: int | None = None
    ) -> Subscription | None:
        query = self._sub_query().where(subscriptions.c.id == subscription_id)
        if guild_id is not None:
            query = query.where(subscriptions.c.guild_id == guild_id)
        async with self._read() as conn:
            row = (await conn.execute(query)).first()
        return _subscription(row) if row else None

    async def list_subscriptions(
        self,
        *,
        guild_id: int | None = None,
        channel_id: int | None = None,
        feed_id: int | None = None,
    ) -> list[Subscription]:
        query = self._sub_query().order_by(subscriptions.c.channel_id, subscriptions.c.id)
        if guild_id is not None:
            query = query.where(subscriptions.c.guild_id == guild_id)
        if channel_id is not None:
            query = query.where(subscriptions.c.channel_id == channel_id)
        if feed_id is not None:
            query = query.where(subscriptions.c.feed_id == feed_id)
        async with self._read() as conn:
            rows = (await conn.execute(query)).all()
        return [_subscription(r) for r in rows]

    async def remove_subscription(
        self, subscription_id: int, *, guild_id: int | None = None
    ) -> Subscription | None:
        """Delete a subscription and its queue; a feed nobody follows any more goes too."""
        sub = await self.get_subscription(subscription_id, guild_id=guild_id)
        if sub is None:
            return None
        async with self._write() as conn:
            await conn.execute(
                sa.delete(deliveries).where(deliveries.c.subscription_id == subscription_id)
            )
            await conn.execute(
                sa.update(notices)
                .where(notices.c.subscription_id == subscription_id)
                .values(subscription_id=None)
            )
            await conn.execute(
                sa.delete(subscriptions).where(subscriptions.c.id == subscription_id)
            )
            left = (
                await conn.execute(
                    sa.select(sa.func.count())
                    .select_from(subscriptions)
                    .where(subscriptions.c.feed_id == sub.feed_id)
                )
            ).scalar_one()
            if left == 0:
                await conn.execute(sa.delete(items).where(items.c.feed_id == sub.feed_id))
                await conn.execute(sa.delete(feeds).where(feeds.c.id == sub.feed_id))
        return sub

    async def pause_subscription(
        self,
        subscription_id: int,
        reason: str | None = None,
        *,
        guild_id: int | None = None,
        now: dt.datetime | None = None,
        notify: bool = False,
    ) -> Subscription | None:
        """Pause; queued deliveries wait (they go out on resume). With `notify`, the
        server is told why (used when the channel is gone or permission was lost)."""
        now = now or utcnow()
        async with self._write() as conn:
            query = sa.update(subscriptions).where(subscriptions.c.id == subscription_id)
            if guild_id is not None:
                query = query.where(subscriptions.c.guild_id == guild_id)
            done = await conn.execute(
                query.values(paused=True, paused_reason=reason, paused_at=_db(now))
            )
            if done.rowcount and notify:
                row = (
                    await conn.execute(
                        self._sub_query().where(subscriptions.c.id == subscription_id)
                    )
                ).one()
                await self._add_notice(
                    conn, row.guild_id, row.channel_id, subscription_id, "paused",
                    paused_text(row.feed_title, row.channel_id, reason or "it stopped working"),
                    now,
                )  # fmt: skip
        return await self.get_subscription(subscription_id, guild_id=guild_id)

    async def resume_subscription(
        self, subscription_id: int, *, guild_id: int | None = None
    ) -> Subscription | None:
        async with self._write() as conn:
            query = sa.update(subscriptions).where(subscriptions.c.id == subscription_id)
            if guild_id is not None:
                query = query.where(subscriptions.c.guild_id == guild_id)
            await conn.execute(query.values(paused=False, paused_reason=None, paused_at=None))
        return await self.get_subscription(subscription_id, guild_id=guild_id)

    async def has_active_subscription(self, feed_id: int, *, besides: int | None = None) -> bool:
        query = sa.select(subscriptions.c.id).where(
            subscriptions.c.feed_id == feed_id, subscriptions.c.paused == sa.false()
        )
        if besides is not None:
            query = query.where(subscriptions.c.id != besides)
        async with self._read() as conn:
            return (await conn.execute(query.limit(1))).first() is not None

    # ------------------------------------------------------------------ items

    async def count_items(self, feed_id: int) -> int:
        async with self._read() as conn:
            return (
                await conn.execute(
                    sa.select(sa.func.count()).select_from(items).where(items.c.feed_id == feed_id)
                )
            ).scalar_one()

    # ------------------------------------------------------------------ delivery queue

    async def due_deliveries(self, now: dt.datetime, limit: int = 100) -> list[Delivery]:
        """Pending deliveries due now, of active subscriptions, each subscription's in item
        order — and never past an earlier item of the same subscription still waiting."""
        earlier = deliveries.alias("earlier")
        blocked = sa.exists(
            sa.select(earlier.c.id).where(
                earlier.c.subscription_id == deliveries.c.subscription_id,
                earlier.c.status == PENDING,
                earlier.c.item_id < deliveries.c.item_id,
                earlier.c.next_attempt > _db(now),
            )
        )
        query = (
            sa.select(
                deliveries.c.id.label("d_id"),
                deliveries.c.subscription_id,
                deliveries.c.attempts,
                subscriptions.c.guild_id,
                subscriptions.c.channel_id,
                subscriptions.c.sentences,
                feeds.c.title.label("feed_title"),
                feeds.c.url.label("feed_url"),
                *[c.label("i_" + c.name) for c in items.c],
            )
            .join(subscriptions, subscriptions.c.id == deliveries.c.subscription_id)
            .join(items, items.c.id == deliveries.c.item_id)
            .join(feeds, feeds.c.id == items.c.feed_id)
            .where(
                deliveries.c.status == PENDING,
                deliveries.c.next_attempt <= _db(now),
                subscriptions.c.paused == sa.false(),
                ~blocked,
            )
            .order_by(deliveries.c.subscription_id, deliveries.c.item_id)
            .limit(limit)
        )
        async with self._read() as conn:
            rows = (await conn.execute(query)).all()
        out = []
        for row in rows:
            m = row._mapping
            item = _item(m, "i_")
            out.append(
                Delivery(
                    id=m["d_id"],
                    subscription_id=m["subscription_id"],
                    guild_id=int(m["guild_id"]),
                    channel_id=int(m["channel_id"]),
                    feed_id=item.feed_id,
                    feed_title=m["feed_title"],
                    feed_url=m["feed_url"],
                    item=item,
                    sentences=m["sentences"],
                    nonce=delivery_nonce(m["subscription_id"], item.key),
                    attempts=m["attempts"],
                )
            )
        return out

    async def next_delivery_at(self) -> dt.datetime | None:
        """When the next pending delivery or notice is due (None when nothing waits)."""
        d_query = (
            sa.select(sa.func.min(deliveries.c.next_attempt))
            .join(subscriptions, subscriptions.c.id == deliveries.c.subscription_id)
            .where(deliveries.c.status == PENDING, subscriptions.c.paused == sa.false())
        )
        n_query = sa.select(sa.func.min(notices.c.next_attempt)).where(notices.c.status == PENDING)
        async with self._read() as conn:
            values = [
                _aware((await conn.execute(d_query)).scalar()),
                _aware((await conn.execute(n_query)).scalar()),
            ]
        present = [v for v in values if v is not None]
        return min(present) if present else None

    async def mark_sent(self, delivery_id: int, message_id: int | None, now: dt.datetime) -> None:
        async with self._write() as conn:
            await conn.execute(
                sa.update(deliveries)
                .where(deliveries.c.id == delivery_id)
                .values(
                    status=SENT,
                    message_id=message_id,
                    sent_at=_db(now),
                    attempts=deliveries.c.attempts + 1,
                    last_error=None,
                )
            )

    async def mark_retry(self, delivery_id: int, next_attempt: dt.datetime, error: str) -> None:
        """Try again at `next_attempt`; the subscription's later items wait as long (order)."""
        async with self._write() as conn:
            row = (
                await conn.execute(
                    sa.select(deliveries.c.subscription_id, deliveries.c.item_id).where(
                        deliveries.c.id == delivery_id
                    )
                )
            ).first()
            if row is not None:
                await conn.execute(
                    sa.update(deliveries)
                    .where(
                        deliveries.c.subscription_id == row.subscription_id,
                        deliveries.c.status == PENDING,
                        deliveries.c.item_id > row.item_id,
                        deliveries.c.next_attempt < _db(next_attempt),
                    )
                    .values(next_attempt=_db(next_attempt))
                )
            await conn.execute(
                sa.update(deliveries)
                .where(deliveries.c.id == delivery_id)
                .values(
                    next_attempt=_db(next_attempt),
                    attempts=deliveries.c.attempts + 1,
                    last_error=error[:1000],
                )
            )

    async def mark_failed(self, delivery_id: int, error: str) -> None:
        """Give up on one delivery (after too many attempts); it is kept for inspection."""
        async with self._write() as conn:
            await conn.execute(
                sa.update(deliveries)
                .where(deliveries.c.id == delivery_id)
                .values(status=FAILED, last_error=error[:1000], attempts=deliveries.c.attempts + 1)
            )

    async def delivery_counts(self, subscription_id: int | None = None) -> dict[str, int]:
        query = sa.select(deliveries.c.status, sa.func.count()).group_by(deliveries.c.status)
        if subscription_id is not None:
            query = query.where(deliveries.c.subscription_id == subscription_id)
        async with self._read() as conn:
            rows = (await conn.execute(query)).all()
        return {status: count for status, count in rows}

    async def sent_items(self, subscription_id: int) -> list[tuple[str, int | None]]:
        """(item key, message id) of everything posted to a subscription, in post order."""
        query = (
            sa.select(items.c.key, deliveries.c.message_id)
            .join(items, items.c.id == deliveries.c.item_id)
            .where(deliveries.c.subscription_id == subscription_id, deliveries.c.status == SENT)
            .order_by(deliveries.c.sent_at, deliveries.c.id)
        )
        async with self._read() as conn:
            return [(k, m) for k, m in (await conn.execute(query)).all()]

    # ------------------------------------------------------------------ notices

    async def _add_notice(
        self,
        conn: AsyncConnection,
        guild_id: int,
        channel_id: int,
        subscription_id: int | None,
        kind: str,
        text: str,
        now: dt.datetime,
    ) -> None:
        await conn.execute(
            sa.insert(notices).values(
                guild_id=guild_id,
                channel_id=channel_id,
                subscription_id=subscription_id,
                kind=kind,
                text=text[:2000],
                status=PENDING,
                attempts=0,
                next_attempt=_db(now),
                created_at=_db(now),
            )
        )

    async def _notify_subscribers(
        self, conn: AsyncConnection, feed_id: int, kind: str, text: str, now: dt.datetime
    ) -> None:
        subs = (
            await conn.execute(
                sa.select(
                    subscriptions.c.id, subscriptions.c.guild_id, subscriptions.c.channel_id
                ).where(subscriptions.c.feed_id == feed_id, subscriptions.c.paused == sa.false())
            )
        ).all()
        for sub_id, guild_id, channel_id in subs:
            await self._add_notice(conn, guild_id, channel_id, sub_id, kind, text, now)

    async def due_notices(self, now: dt.datetime, limit: int = 50) -> list[Notice]:
        query = (
            sa.select(notices)
            .where(notices.c.status == PENDING, notices.c.next_attempt <= _db(now))
            .order_by(notices.c.id)
            .limit(limit)
        )
        async with self._read() as conn:
            rows = (await conn.execute(query)).all()
        return [
            Notice(
                id=r.id,
                guild_id=int(r.guild_id),
                channel_id=int(r.channel_id),
                subscription_id=r.subscription_id,
                kind=r.kind,
                text=r.text,
                attempts=r.attempts,
            )
            for r in rows
        ]

    async def mark_notice(
        self,
        notice_id: int,
        status: str,
        *,
        now: dt.datetime,
        next_attempt: dt.datetime | None = None,
        error: str | None = None,
    ) -> None:
        values: dict[str, Any] = {
            "status": status,
            "attempts": notices.c.attempts + 1,
            "last_error": error[:1000] if error else None,
        }
        if status == SENT:
            values["sent_at"] = _db(now)
        if next_attempt is not None:
            values["next_attempt"] = _db(next_attempt)
        async with self._write() as conn:
            await conn.execute(sa.update(notices).where(notices.c.id == notice_id).values(**values))

    # ------------------------------------------------------------------ upkeep

    async def prune(self, now: dt.datetime, *, keep_days: float = 90) -> int:
        """Forget items gone from their feed for `keep_days` (and their sent deliveries),
        and old sent notices. Items with a pending delivery stay."""
        cutoff = _db(now - dt.timedelta(days=keep_days))
        waiting = sa.select(deliveries.c.item_id).where(deliveries.c.status == PENDING)
        async with self._write() as conn:
            old_items = sa.select(items.c.id).where(
                sa.func.coalesce(items.c.last_seen, items.c.first_seen) < cutoff,
                items.c.id.not_in(waiting),
            )
            await conn.execute(sa.delete(deliveries).where(deliveries.c.item_id.in_(old_items)))
            done = await conn.execute(
                sa.delete(items).where(
                    sa.func.coalesce(items.c.last_seen, items.c.first_seen) < cutoff,
                    items.c.id.not_in(waiting),
                )
            )
            await conn.execute(
                sa.delete(notices).where(notices.c.status != PENDING, notices.c.created_at < cutoff)
            )
        return int(done.rowcount or 0)

    async def stats(self) -> dict[str, int]:
        """Counts for health pages and metrics."""
        async with self._read() as conn:
            out: dict[str, int] = {}
            for name, table in (
                ("feeds", feeds),
                ("subscriptions", subscriptions),
                ("items", items),
            ):
                out[name] = (
                    await conn.execute(sa.select(sa.func.count()).select_from(table))
                ).scalar_one()
            out["failing_feeds"] = (
                await conn.execute(
                    sa.select(sa.func.count()).select_from(feeds).where(feeds.c.failure_count > 0)
                )
            ).scalar_one()
            out["paused_subscriptions"] = (
                await conn.execute(
                    sa.select(sa.func.count())
                    .select_from(subscriptions)
                    .where(subscriptions.c.paused == sa.true())
                )
            ).scalar_one()
            out["pending_deliveries"] = (
                await conn.execute(
                    sa.select(sa.func.count())
                    .select_from(deliveries)
                    .where(deliveries.c.status == PENDING)
                )
            ).scalar_one()
            out["pending_notices"] = (
                await conn.execute(
                    sa.select(sa.func.count())
                    .select_from(notices)
                    .where(notices.c.status == PENDING)
                )
            ).scalar_one()
        return out
