"""A feed item's lead image.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

`items.image` keeps the image a feed declares for an item (media:content, an image
enclosure, JSON Feed `image`): the post shows it even when the linked page has none.
Only ADD COLUMN: no table is rebuilt, every row is kept.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("items", sa.Column("image", sa.Text, nullable=True))


def downgrade() -> None:
    op.drop_column("items", "image")
