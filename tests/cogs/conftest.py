"""The bot harness (tests/discord_adapter/conftest.py) for the commands."""

from tests.discord_adapter.conftest import bot_overrides, feeds, harness  # noqa: F401
