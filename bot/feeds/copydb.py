"""`precis migrate-db`: copy a whole feeds database to another, e.g. SQLite to PostgreSQL.

Both are first brought to the newest schema (the source's own migrations, as `Store.open`
would run them); the target must hold no rows. Every table is copied in foreign-key
order, ids included, in one transaction on the target — all of it or nothing — then
PostgreSQL's id sequences are moved past the copied ids, and the row counts are compared.
Stop the bot first: rows written to the source during the copy would not be in it.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.errors import PrecisError
from bot.feeds.database import _engine, migrate, reset_sequences
from bot.feeds.schema import metadata

BATCH = 1000  # rows per INSERT


class CopyError(PrecisError):
    """The copy was refused or did not add up; the target is left unchanged."""


async def _counts(conn: AsyncConnection) -> dict[str, int]:
    return {
        table.name: (await conn.execute(sa.select(sa.func.count()).select_from(table))).scalar_one()
        for table in metadata.sorted_tables
    }


async def _copy_table(source: AsyncConnection, target: AsyncConnection, table: sa.Table) -> None:
    order = list(table.primary_key.columns)
    result = await source.stream(sa.select(table).order_by(*order))
    async for rows in result.mappings().partitions(BATCH):
        await target.execute(sa.insert(table), [dict(row) for row in rows])


async def copy_database(source_url: str, target_url: str) -> dict[str, int]:
    """Copy every row from `source_url` to the empty database `target_url`; returns the
    number of rows per table."""
    if source_url == target_url:
        raise CopyError("The source and the target are the same database.")
    await migrate(source_url)
    await migrate(target_url)
    source = _engine(source_url, foreign_keys=True)
    target = _engine(target_url, foreign_keys=True)
    try:
        async with source.connect() as src, target.begin() as dst:
            await src.begin()  # one snapshot of the source
            filled = {name: n for name, n in (await _counts(dst)).items() if n}
            if filled:
                raise CopyError(f"The target database is not empty: {filled}.")
            for table in metadata.sorted_tables:
                await _copy_table(src, dst, table)
            await reset_sequences(dst)
            expected, copied = await _counts(src), await _counts(dst)
            if copied != expected:  # raising rolls the target back
                raise CopyError(f"Copied {copied} rows, expected {expected}.")
        return copied
    finally:
        await source.dispose()
        await target.dispose()
