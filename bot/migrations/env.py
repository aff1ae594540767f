"""Alembic environment: migrations run on a connection handed over by `bot.feeds.database`.

`Store.open` (and `bot.feeds.database.migrate`) pass their connection in
`config.attributes["connection"]`. Run from the `alembic` command line, the URL
comes from `sqlalchemy.url` or the DATABASE_URL environment variable.
"""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from bot.feeds.schema import metadata

config = context.config


def _run(connection: Connection) -> None:
    # Batch mode lets ALTERs work on SQLite (copy-and-move) and stays plain ALTER elsewhere.
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


async def _run_from_url(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_run)
    finally:
        await engine.dispose()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
elif context.is_offline_mode():
    context.configure(
        url=config.get_main_option("sqlalchemy.url") or os.environ["DATABASE_URL"],
        target_metadata=metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(
        _run_from_url(config.get_main_option("sqlalchemy.url") or os.environ["DATABASE_URL"])
    )
