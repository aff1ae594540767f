"""Alembic migrations for Précis's database; run by `bot.store.migrate` at start."""
