"""Scheduled digests (`/digest`): the digests and one row per digest and period.

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-04

`digests` holds each `/digest add`: the channel, the schedule (its normal form and cron
expression) and its IANA time zone, the feeds it covers (NULL: all the server follows),
how many stories and sentences, and whether it replaces the channel's per-item posts.
`digest_runs` one row per digest and period, unique on both (one digest per period, even
with several workers), claimed with a lease and a fencing token like a delivery, its
stories recorded before the first message is sent. Only CREATE TABLE: no table is
rebuilt, every row is kept. (0008 is another branch's; the two are chained at merge.)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "digests",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("guild_id", sa.BigInteger, nullable=False),
        sa.Column("channel_id", sa.BigInteger, nullable=False),
        sa.Column("schedule", sa.String(64), nullable=False),
        sa.Column("cron", sa.String(64), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("feed_ids", sa.JSON, nullable=True),
        sa.Column("max_items", sa.Integer, nullable=False),
        sa.Column("sentences", sa.Integer, nullable=False),
        sa.Column("only", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.BigInteger, nullable=True),
    )
    op.create_index("ix_digests_guild_id", "digests", ["guild_id"])
    op.create_index("ix_digests_channel_id", "digests", ["channel_id"])
    op.create_table(
        "digest_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "digest_id",
            sa.Integer,
            sa.ForeignKey("digests.id", ondelete="CASCADE"),
            nullable=False,
        ),
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
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("lease_until", sa.DateTime, nullable=True),
        sa.Column("lease_token", sa.Integer, nullable=False, server_default="0"),
        sa.UniqueConstraint("digest_id", "period_end", name="uq_digest_runs_digest_period"),
    )
    op.create_index("ix_digest_runs_status_next", "digest_runs", ["status", "next_attempt"])


def downgrade() -> None:
    op.drop_index("ix_digest_runs_status_next", table_name="digest_runs")
    op.drop_table("digest_runs")
    op.drop_index("ix_digests_channel_id", table_name="digests")
    op.drop_index("ix_digests_guild_id", table_name="digests")
    op.drop_table("digests")
