"""Alembic migrations for Précis's database; run by `bot.feeds.database.migrate` at start."""
