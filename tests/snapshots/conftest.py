"""The bot harness of tests/bot, for the feed-run snapshot."""

from tests.discord_adapter.conftest import feeds, harness  # noqa: F401
