"""The fate of every item for every subscription (`/feed log`), and entity watches.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03

`item_fates` keeps, per subscription and item, what was decided when the item was first
seen: queued for posting, filtered (and by which clause), a duplicate of an item already
seen (same GUID or title + link), older than the subscription (a backlog not taken),
over the per-poll flood cap, or new while the subscription was paused. What happens to
a queued item afterwards (posted, failed,
waiting for a retry, skipped for its language) is its delivery row. Rows are kept 30
days.

`watches` holds a server's entity watches (`/watch add`: the name, an optional kind, the
channel told and the role pinged); `watch_hits` one row per watch and item that fired it,
so a watch fires once per item, across restarts. Only CREATE TABLE: no table is rebuilt,
every row is kept.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "item_fates",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "subscription_id",
            sa.Integer,
            sa.ForeignKey("subscriptions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("item_key", sa.String(40), nullable=False),
        sa.Column(
            "item_id", sa.Integer, sa.ForeignKey("items.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("title", sa.Text, nullable=True),
        sa.Column("link", sa.Text, nullable=True),
        sa.Column("fate", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("decided_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("subscription_id", "item_key", name="uq_item_fates_sub_key"),
    )
    op.create_index("ix_item_fates_decided_at", "item_fates", ["decided_at"])
    op.create_table(
        "watches",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("guild_id", sa.BigInteger, nullable=False),
        sa.Column("channel_id", sa.BigInteger, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False, server_default=""),
        sa.Column("role_id", sa.BigInteger, nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.BigInteger, nullable=True),
    )
    op.create_index("ix_watches_guild_id", "watches", ["guild_id"])
    op.create_table(
        "watch_hits",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "watch_id", sa.Integer, sa.ForeignKey("watches.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "item_id", sa.Integer, sa.ForeignKey("items.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("watch_id", "item_id", name="uq_watch_hits_watch_item"),
    )


def downgrade() -> None:
    op.drop_table("watch_hits")
    op.drop_index("ix_watches_guild_id", table_name="watches")
    op.drop_table("watches")
    op.drop_index("ix_item_fates_decided_at", table_name="item_fates")
    op.drop_table("item_fates")
