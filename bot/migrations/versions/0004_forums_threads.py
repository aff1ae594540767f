"""Forum posts and a thread per post: where a subscription posts, and each post's thread.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03

A subscription posts as a channel message (`mode` 'channel', every existing row), a forum
post ('forum', with an optional tag: `tag_id`, `tag_name`) or a message with its own
thread ('thread'). A delivery records the forum post or thread it created (`thread_id`),
the name it was created under (`thread_name`) and when its creation was first attempted
(`intent_at`): forum posts take no nonce, so after a crash the bot looks for a post of its
own with that name, created since then, before creating another. Only ADD COLUMN: no table
is rebuilt, every row is kept.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "subscriptions",
        sa.Column("mode", sa.String(16), nullable=False, server_default="channel"),
    )
    op.add_column("subscriptions", sa.Column("tag_id", sa.BigInteger, nullable=True))
    op.add_column("subscriptions", sa.Column("tag_name", sa.String(100), nullable=True))
    op.add_column("deliveries", sa.Column("thread_id", sa.BigInteger, nullable=True))
    op.add_column("deliveries", sa.Column("thread_name", sa.String(128), nullable=True))
    op.add_column("deliveries", sa.Column("intent_at", sa.DateTime, nullable=True))


def downgrade() -> None:
    for column in ("intent_at", "thread_name", "thread_id"):
        op.drop_column("deliveries", column)
    for column in ("tag_name", "tag_id", "mode"):
        op.drop_column("subscriptions", column)
