"""The feeds database schema at head, the queue's states, and time as the database keeps it.

The Alembic migrations in `bot/migrations` create exactly this (a test compares);
`Store.open` runs them first, so an upgrade keeps every row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa

CHUNK = 400  # bound parameters per IN (...) list: well under every backend's limit

PENDING, SENT, FAILED, DROPPED = "pending", "sent", "failed", "dropped"
SKIPPED = "skipped"  # a delivery not posted on purpose (a language the server excludes)
FILTERED = "filtered"  # left out by the subscription's filter; last_error: the failing clause

# Where a subscription posts (subscriptions.mode): a message in a text channel, a forum
# post, or a message with its own discussion thread (0004 on).
CHANNEL, FORUM, THREAD = "channel", "forum", "thread"
MODES = (CHANNEL, FORUM, THREAD)


def _lease_columns(*, token: bool) -> list[sa.Column[Any]]:
    """Who claimed a row (a worker's name) and until when; deliveries and notices also
    carry a fencing token that the claimer's completion must present."""
    columns: list[sa.Column[Any]] = [
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("lease_until", sa.DateTime, nullable=True),
    ]
    if token:
        columns.append(sa.Column("lease_token", sa.Integer, nullable=False, server_default="0"))
    return columns


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
    *_lease_columns(token=False),
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
    # NULL: follow the server's default as it is when each item is posted (0005 on)
    sa.Column("sentences", sa.Integer, nullable=True),
    sa.Column("include", sa.JSON, nullable=False),
    sa.Column("exclude", sa.JSON, nullable=False),
    sa.Column("paused", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("paused_reason", sa.Text, nullable=True),
    sa.Column("paused_at", sa.DateTime, nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("created_by", sa.BigInteger, nullable=True),
    # 0004: where it posts (CHANNEL, FORUM, THREAD) and the forum tag applied to each post
    sa.Column("mode", sa.String(16), nullable=False, server_default=CHANNEL),
    sa.Column("tag_id", sa.BigInteger, nullable=True),
    sa.Column("tag_name", sa.String(100), nullable=True),
    # 0006: the filter expression (bot/feeds/filters.py; include/exclude are left empty),
    # the role pinged with each post, and the expression an item must match for the ping
    sa.Column("filter", sa.Text, nullable=True),
    sa.Column("mention_role_id", sa.BigInteger, nullable=True),
    sa.Column("mention_when", sa.Text, nullable=True),
    # 0008: an item that is the same story as a post of the channel's last
    # STORY_WINDOW_HOURS is added to that post instead of posted anew
    sa.Column("group_stories", sa.Boolean, nullable=False, server_default=sa.true()),
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
    sa.Column("image", sa.Text, nullable=True),  # the item's own lead image (0005 on)
    sa.Column("categories", sa.JSON, nullable=True),  # the feed's categories of it (0006 on)
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
    *_lease_columns(token=True),
    # 0004: the forum post or thread of this item; the name it was (or is being) created
    # under and when its creation was first attempted (the guard against a second one)
    sa.Column("thread_id", sa.BigInteger, nullable=True),
    sa.Column("thread_name", sa.String(128), nullable=True),
    sa.Column("intent_at", sa.DateTime, nullable=True),
    # 0008: same-story grouping, decided once per item before it is acted on: the item's
    # grouping keys (the channel's story index is rebuilt from them after a restart),
    # when that was decided, and the delivery whose post it joined (NULL: its own post)
    sa.Column("story_keys", sa.JSON, nullable=True),
    sa.Column("story_at", sa.DateTime, nullable=True),
    sa.Column("story_of", sa.Integer, nullable=True),
    sa.UniqueConstraint("subscription_id", "item_id", name="uq_deliveries_sub_item"),
    sa.Index("ix_deliveries_status_next", "status", "next_attempt"),
    sa.Index("ix_deliveries_story_at", "story_at"),
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
    *_lease_columns(token=True),
    sa.Column("params", sa.JSON, nullable=True),  # the notice's parameters (0003 on)
    sa.Index("ix_notices_status_next", "status", "next_attempt"),
)


# A server's own defaults (`/precis settings`); NULL (or no row) means "not set" (0005 on).
server_settings = sa.Table(
    "server_settings",
    metadata,
    sa.Column("guild_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("sentences", sa.Integer, nullable=True),
    sa.Column("entities", sa.Boolean, nullable=True),
    sa.Column("color", sa.Integer, nullable=True),
    sa.Column("languages", sa.JSON, nullable=True),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("updated_by", sa.BigInteger, nullable=True),
)

# What became of each item for each subscription (0007 on): one row per subscription x
# item, written when the fate is decided. Posting outcomes (posted, failed, retry,
# language) live on the item's delivery row and are read through it; these rows hold the
# decisions taken before a delivery exists, and "queued" for the ones that have one.
QUEUED, DUPLICATE, BACKLOG, FLOOD = "queued", "duplicate", "backlog", "flood"  # and FILTERED
PAUSED_FATE = "paused"  # new while the subscription was paused: marked seen, not posted
IN_DIGEST = "in digest"  # its channel's digest replaces per-item posts (0009 on)
FATES = (QUEUED, FILTERED, DUPLICATE, BACKLOG, FLOOD, PAUSED_FATE, IN_DIGEST)
FATE_RETENTION_DAYS = 30

item_fates = sa.Table(
    "item_fates",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "subscription_id",
        sa.Integer,
        sa.ForeignKey("subscriptions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    # the item's key (a duplicate that was never stored as an item: its fingerprint)
    sa.Column("item_key", sa.String(40), nullable=False),
    sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id", ondelete="SET NULL"), nullable=True),
    sa.Column("title", sa.Text, nullable=True),
    sa.Column("link", sa.Text, nullable=True),
    sa.Column("fate", sa.String(16), nullable=False),
    sa.Column("reason", sa.Text, nullable=True),  # e.g. which filter clause left it out
    sa.Column("decided_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("subscription_id", "item_key", name="uq_item_fates_sub_key"),
    sa.Index("ix_item_fates_decided_at", "decided_at"),
)

# Entity watches (0007 on): a server's team follows a person, place or organization in
# every feed the server follows; a notice goes to `channel_id` (pinging `role_id`, if any)
# when a posted item's key entities include it. `kind` '' matches any kind.
watches = sa.Table(
    "watches",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("guild_id", sa.BigInteger, nullable=False),
    sa.Column("channel_id", sa.BigInteger, nullable=False),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False, server_default=""),
    sa.Column("role_id", sa.BigInteger, nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("created_by", sa.BigInteger, nullable=True),
    sa.Index("ix_watches_guild_id", "guild_id"),
)

# One row per watch and item that fired it: written (with its notice, one transaction)
# before the item's delivery is marked sent, so a repeat after a crash finds it and does
# not fire again; the notice carries a nonce derived from (watch, item).
watch_hits = sa.Table(
    "watch_hits",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("watch_id", sa.Integer, sa.ForeignKey("watches.id", ondelete="CASCADE"),
              nullable=False),  # fmt: skip
    sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id", ondelete="CASCADE"),
              nullable=False),  # fmt: skip
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("watch_id", "item_id", name="uq_watch_hits_watch_item"),
)

# Scheduled digests (0009 on): `/digest add` posts, on `cron` in `timezone`, the stories of
# the period in `channel_id`. `feed_ids` NULL: every feed the server follows. `only`: the
# channel's own subscriptions of those feeds post nothing per item (fate IN_DIGEST).
digests = sa.Table(
    "digests",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("guild_id", sa.BigInteger, nullable=False),
    sa.Column("channel_id", sa.BigInteger, nullable=False),
    sa.Column("schedule", sa.String(64), nullable=False),  # its normal form, "daily 08:00"
    sa.Column("cron", sa.String(64), nullable=False),
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("feed_ids", sa.JSON, nullable=True),
    sa.Column("max_items", sa.Integer, nullable=False),
    sa.Column("sentences", sa.Integer, nullable=False),
    sa.Column("only", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("created_by", sa.BigInteger, nullable=True),
    sa.Index("ix_digests_guild_id", "guild_id"),
    sa.Index("ix_digests_channel_id", "channel_id"),
)

# One row per digest and period, created when the period ends (unique: one per period,
# whichever worker gets there first), claimed like a delivery (lease + fencing token).
# `content` (the stories) is recorded before the first message is sent; each message
# goes out with a nonce derived from `nonce` and its number, and `parts_sent` with
# `message_ids` move on after each one, so a repeat after a crash sends nothing twice.
digest_runs = sa.Table(
    "digest_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "digest_id", sa.Integer, sa.ForeignKey("digests.id", ondelete="CASCADE"), nullable=False
    ),  # fmt: skip
    sa.Column("period_start", sa.DateTime, nullable=False),
    sa.Column("period_end", sa.DateTime, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("nonce", sa.String(32), nullable=False),
    sa.Column("content", sa.JSON, nullable=True),
    sa.Column("parts_sent", sa.Integer, nullable=False, server_default="0"),
    sa.Column("message_ids", sa.JSON, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt", sa.DateTime, nullable=False),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("sent_at", sa.DateTime, nullable=True),
    *_lease_columns(token=True),
    sa.UniqueConstraint("digest_id", "period_end", name="uq_digest_runs_digest_period"),
    sa.Index("ix_digest_runs_status_next", "status", "next_attempt"),
)


# The test clock: off (None) unless a test starts the bot process with
# PRECIS_TEST_CLOCK_FILE pointed at a loopback Discord (bot/discord_adapter/client.py
# refuses it otherwise). The file holds seconds to add to the real time; the end-to-end
# tests move it to cross a digest period or a DST change without waiting a day.
_test_clock: Path | None = None
_test_offset: tuple[int, float] = (-1, 0.0)  # the file's mtime (ns) and its offset


def use_test_clock(path: Path | None) -> None:
    global _test_clock, _test_offset
    _test_clock, _test_offset = path, (-1, 0.0)


def _offset(path: Path) -> float:
    global _test_offset
    try:
        stamp = path.stat().st_mtime_ns
        if stamp != _test_offset[0]:
            _test_offset = (stamp, float(path.read_text().strip() or 0))
    except (OSError, ValueError):
        pass  # being rewritten: the last offset read stands
    return _test_offset[1]


def utcnow() -> dt.datetime:
    now = dt.datetime.now(dt.UTC)
    if _test_clock is not None:
        return now + dt.timedelta(seconds=_offset(_test_clock))
    return now


def to_db(value: dt.datetime | None) -> dt.datetime | None:
    """Aware -> naive UTC, the one form stored (portable across SQLite and PostgreSQL)."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def unleased(table: sa.FromClause, now: dt.datetime) -> sa.ColumnElement[bool]:
    """Rows nobody holds a live lease on."""
    return sa.or_(table.c.lease_until.is_(None), table.c.lease_until <= to_db(now))


# What several worker processes share beyond the queue (0010 on). A host's politeness
# slots: at most N fetches at once to one host across every worker, each slot leased (a
# worker killed holding one loses it when the lease runs out).
host_slots = sa.Table(
    "host_slots",
    metadata,
    sa.Column("host", sa.String(255), primary_key=True),
    sa.Column("slot", sa.Integer, primary_key=True, autoincrement=False),
    *_lease_columns(token=False),
)

# Discord's rate limits as every worker saw them: per route, what is left until when
# (epoch seconds, from X-RateLimit-Remaining / Reset-After or a 429's Retry-After); the
# row GLOBAL_BUCKET also counts requests of the current second (the global limit).
discord_buckets = sa.Table(
    "discord_buckets",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("remaining", sa.Integer, nullable=True),
    sa.Column("reset_at", sa.Float, nullable=True),
    sa.Column("window_start", sa.Float, nullable=True),
    sa.Column("window_count", sa.Integer, nullable=False, server_default="0"),
)
GLOBAL_BUCKET = "*global"
