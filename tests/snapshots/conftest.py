"""The bot harness of tests/bot, for the feed-run snapshot."""

from tests.bot.conftest import feeds, harness  # noqa: F401
