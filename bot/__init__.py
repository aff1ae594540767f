"""Précis: faithful extractive summaries of news articles, for Discord and the command line."""

__version__ = "0.1.0"
