"""Leases on feeds, deliveries and notices (claim_due), and a notice's parameters.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03

A worker claims due work by writing its name and a lease expiry on the rows
(`lease_owner`, `lease_until`); deliveries and notices also carry a fencing
token (`lease_token`) that a completion must present. A notice now stores its
kind and parameters (`params`, JSON) and the Discord adapter words it; the old
`text` column stays for notices queued before this revision. Only ADD COLUMN:
no table is rebuilt, every row is kept.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("feeds", "deliveries", "notices"):
        op.add_column(table, sa.Column("lease_owner", sa.String(64), nullable=True))
        op.add_column(table, sa.Column("lease_until", sa.DateTime, nullable=True))
    for table in ("deliveries", "notices"):
        op.add_column(
            table, sa.Column("lease_token", sa.Integer, nullable=False, server_default="0")
        )
    op.add_column("notices", sa.Column("params", sa.JSON, nullable=True))


def downgrade() -> None:
    op.drop_column("notices", "params")
    for table in ("deliveries", "notices"):
        op.drop_column(table, "lease_token")
    for table in ("feeds", "deliveries", "notices"):
        op.drop_column(table, "lease_until")
        op.drop_column(table, "lease_owner")
