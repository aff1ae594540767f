"""Filter expressions, role mentions, and a feed item's categories.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03

`subscriptions.filter` holds a subscription's filter expression (bot/feeds/filters.py);
the include/exclude keywords of before become one (any include word in the title or the
item's text, and no exclude word), and the two old columns are left empty.
`subscriptions.mention_role_id` is the role pinged when an item is posted, and
`mention_when` the expression an item must match for the ping (NULL: every item).
`items.categories` keeps the categories (tags) a feed gives an item, for `category`.
Deliveries a filter left out get the status "filtered", the failing clause in
`last_error` (like "skipped" for a language the server leaves out).
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _quote(word: str) -> str:
    return '"' + word.replace('"', '\\"') + '"'


def _anyof(words: list[str]) -> str:
    return " or ".join(f"{field}:{_quote(w)}" for w in words for field in ("title", "text"))


def _expression(include: list[str], exclude: list[str]) -> str | None:
    """As bot.feeds.filters.keywords_expression on the day of this revision (a migration
    keeps its own copy: it must mean the same whatever the code becomes)."""
    parts = []
    if include:
        parts.append(f"({_anyof(include)})" if exclude else _anyof(include))
    if exclude:
        parts.append(f"not ({_anyof(exclude)})")
    return " and ".join(parts) or None


def _words(value: Any) -> list[str]:
    if isinstance(value, str):
        value = json.loads(value or "[]")
    return [w.strip() for w in value or [] if isinstance(w, str) and w.strip()]


def upgrade() -> None:
    op.add_column("subscriptions", sa.Column("filter", sa.Text, nullable=True))
    op.add_column("subscriptions", sa.Column("mention_role_id", sa.BigInteger, nullable=True))
    op.add_column("subscriptions", sa.Column("mention_when", sa.Text, nullable=True))
    op.add_column("items", sa.Column("categories", sa.JSON, nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, include, exclude FROM subscriptions")).all()
    for sub_id, include, exclude in rows:
        expression = _expression(_words(include), _words(exclude))
        if expression is None:
            continue
        conn.execute(
            sa.text(
                "UPDATE subscriptions SET filter = :f, include = '[]', exclude = '[]' "
                "WHERE id = :id"
            ),
            {"f": expression, "id": sub_id},
        )


def downgrade() -> None:
    # An expression cannot become keywords again: the subscriptions lose their filters.
    op.execute("UPDATE deliveries SET status = 'skipped' WHERE status = 'filtered'")
    op.drop_column("items", "categories")
    op.drop_column("subscriptions", "mention_when")
    op.drop_column("subscriptions", "mention_role_id")
    op.drop_column("subscriptions", "filter")
