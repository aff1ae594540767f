"""Same-story grouping (issue 15 §1): a subscription's switch, and each delivery's story.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04

`subscriptions.group_stories`: whether an item that is the same story as one its channel
got within STORY_WINDOW_HOURS is added to that post instead of posted anew (default on).
`deliveries.story_keys`: the item's grouping keys (bot/nlp/story_features.py), written
when the decision is made, so a channel's story index is rebuilt from the database after
a restart (the pages are not fetched again); `story_at`: when it was decided (the
window); `story_of`: the delivery whose post this item was added to (NULL: a post of its
own). Only ADD COLUMN and CREATE INDEX: no table is rebuilt, every row is kept.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "subscriptions",
        sa.Column("group_stories", sa.Boolean, nullable=False, server_default=sa.true()),
    )
    op.add_column("deliveries", sa.Column("story_keys", sa.JSON, nullable=True))
    op.add_column("deliveries", sa.Column("story_at", sa.DateTime, nullable=True))
    op.add_column("deliveries", sa.Column("story_of", sa.Integer, nullable=True))
    op.create_index("ix_deliveries_story_at", "deliveries", ["story_at"])


def downgrade() -> None:
    op.drop_index("ix_deliveries_story_at", table_name="deliveries")
    for column in ("story_of", "story_at", "story_keys"):
        op.drop_column("deliveries", column)
    op.drop_column("subscriptions", "group_stories")
