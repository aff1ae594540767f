"""Per-server settings, subscriptions that follow them, and a feed item's lead image.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

`server_settings` holds what `/precis settings` sets for a server (summary sentences,
entities shown, embed colour, languages allowed for feed posts); a NULL value (or no
row) means the instance's default. `subscriptions.sentences` becomes nullable: NULL
follows the server's default when each item is posted (existing rows keep the count
they were created with). `items.image` keeps the image a feed declares for an item
(media:content, an image enclosure, JSON Feed `image`). The one table rebuilt on SQLite
(batch mode, to drop NOT NULL) keeps every row: migrations run with foreign keys off.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "server_settings",
        sa.Column("guild_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("sentences", sa.Integer, nullable=True),
        sa.Column("entities", sa.Boolean, nullable=True),
        sa.Column("color", sa.Integer, nullable=True),
        sa.Column("languages", sa.JSON, nullable=True),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("updated_by", sa.BigInteger, nullable=True),
    )
    with op.batch_alter_table("subscriptions") as batch:
        batch.alter_column(
            "sentences", existing_type=sa.Integer, nullable=True, server_default=None
        )
    op.add_column("items", sa.Column("image", sa.Text, nullable=True))


def downgrade() -> None:
    op.drop_column("items", "image")
    op.execute("UPDATE subscriptions SET sentences = 3 WHERE sentences IS NULL")
    with op.batch_alter_table("subscriptions") as batch:
        batch.alter_column(
            "sentences", existing_type=sa.Integer, nullable=False, server_default="3"
        )
    op.drop_table("server_settings")
