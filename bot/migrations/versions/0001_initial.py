"""Feeds, subscriptions, seen items and the delivery queue.

Revision ID: 0001
Revises:
Create Date: 2024-06-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    _create_feeds()
    _create_subscriptions()
    _create_items()
    _create_deliveries()


def _create_feeds() -> None:
    op.create_table(
        "feeds",
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
        sa.UniqueConstraint("url", name="uq_feeds_url"),
    )
    op.create_index("ix_feeds_next_poll", "feeds", ["next_poll"])


def _create_subscriptions() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "feed_id", sa.Integer, sa.ForeignKey("feeds.id", ondelete="CASCADE"), nullable=False
        ),
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
    )
    op.create_index("ix_subscriptions_guild_id", "subscriptions", ["guild_id"])
    op.create_index("ix_subscriptions_channel_id", "subscriptions", ["channel_id"])


def _create_items() -> None:
    op.create_table(
        "items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "feed_id", sa.Integer, sa.ForeignKey("feeds.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("fingerprint", sa.String(40), nullable=True),
        sa.Column("guid", sa.Text, nullable=True),
        sa.Column("link", sa.Text, nullable=True),
        sa.Column("title", sa.Text, nullable=True),
        sa.Column("published", sa.DateTime, nullable=True),
        sa.Column("author", sa.Text, nullable=True),
        sa.Column("content", sa.Text, nullable=True),
        sa.Column("first_seen", sa.DateTime, nullable=False),
        sa.UniqueConstraint("feed_id", "key", name="uq_items_feed_key"),
    )
    op.create_index("ix_items_feed_fingerprint", "items", ["feed_id", "fingerprint"])


def _create_deliveries() -> None:
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "subscription_id",
            sa.Integer,
            sa.ForeignKey("subscriptions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "item_id", sa.Integer, sa.ForeignKey("items.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt", sa.DateTime, nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("message_id", sa.BigInteger, nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("sent_at", sa.DateTime, nullable=True),
        sa.UniqueConstraint("subscription_id", "item_id", name="uq_deliveries_sub_item"),
    )
    op.create_index("ix_deliveries_status_next", "deliveries", ["status", "next_attempt"])


def downgrade() -> None:
    op.drop_table("deliveries")
    op.drop_table("items")
    op.drop_table("subscriptions")
    op.drop_table("feeds")
