"""What feed workers share: per-host politeness slots and Discord's rate-limit buckets.

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-03

`host_slots` holds, per feed host, the leased slots that bound fetches to that host across
every worker process (at most FEED_PER_HOST_LIMIT at once); `discord_buckets` what each
worker learnt of Discord's rate limits (per route, and the global one), so a 429 seen by
one slows the others. Only CREATE TABLE: no table is rebuilt, every row is kept.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "host_slots",
        sa.Column("host", sa.String(255), primary_key=True),
        sa.Column("slot", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("lease_until", sa.DateTime, nullable=True),
    )
    op.create_table(
        "discord_buckets",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("remaining", sa.Integer, nullable=True),
        sa.Column("reset_at", sa.Float, nullable=True),
        sa.Column("window_start", sa.Float, nullable=True),
        sa.Column("window_count", sa.Integer, nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_table("discord_buckets")
    op.drop_table("host_slots")
