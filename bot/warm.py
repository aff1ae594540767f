"""Imported by the summary workers' forkserver (bot/workers.py): the engine and everything
it loads on first use (language model, stemmers, gazetteers), loaded once and shared by
every worker forked from it."""

from bot.pipeline import warm_up

warm_up()
