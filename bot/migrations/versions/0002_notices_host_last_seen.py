"""Queued notices, feed host (per-host limits) and when each item was last in its feed.

Revision ID: 0002
Revises: 0001
Create Date: 2024-07-01

Data kept: `feeds.host` is filled from each feed's URL; `items.last_seen`
starts at `first_seen`. Only ADD COLUMN / CREATE: no table is rebuilt.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs: SQLite does them in place, so no table is copied and dropped
    # (a dropped parent table would cascade-delete its children).
    op.add_column("feeds", sa.Column("host", sa.String(255), nullable=False, server_default=""))
    op.add_column("items", sa.Column("last_seen", sa.DateTime, nullable=True))

    bind = op.get_bind()
    feeds = sa.table("feeds", sa.column("id", sa.Integer), sa.column("url", sa.String))
    hosts = sa.table("feeds", sa.column("id", sa.Integer), sa.column("host", sa.String))
    for feed_id, url in bind.execute(sa.select(feeds.c.id, feeds.c.url)).all():
        host = (urlsplit(url).hostname or "")[:255]
        bind.execute(sa.update(hosts).where(hosts.c.id == feed_id).values(host=host))
    items = sa.table(
        "items", sa.column("first_seen", sa.DateTime), sa.column("last_seen", sa.DateTime)
    )
    bind.execute(sa.update(items).values(last_seen=items.c.first_seen))
    op.create_index("ix_items_feed_last_seen", "items", ["feed_id", "last_seen"])

    op.create_table(
        "notices",
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
    )
    op.create_index("ix_notices_status_next", "notices", ["status", "next_attempt"])


def downgrade() -> None:
    op.drop_table("notices")
    op.drop_index("ix_items_feed_last_seen", table_name="items")
    with op.batch_alter_table("items") as batch:
        batch.drop_column("last_seen")
    with op.batch_alter_table("feeds") as batch:
        batch.drop_column("host")
