import re
from pathlib import Path

import pytest

from config.settings import Settings, SettingsError, load_settings


def test_defaults_use_sqlite_under_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = load_settings(_env_file=None)
    assert settings.sqlite_path is not None
    assert settings.sqlite_path.parts[0] == "data"


def test_invalid_settings_fail_in_one_readable_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEFAULT_SENTENCES", "40")
    monkeypatch.setenv("LOG_LEVEL", "chatty")
    with pytest.raises(SettingsError) as info:
        load_settings(_env_file=None)
    message = str(info.value)
    assert "\n" not in message
    assert "DEFAULT_SENTENCES" in message and "LOG_LEVEL" in message


def test_token_is_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "super-secret-token-value")
    settings = load_settings(_env_file=None)
    assert "super-secret-token-value" not in repr(settings)
    assert "super-secret-token-value" not in str(settings.model_dump())
    assert settings.discord_token is not None
    assert settings.discord_token.get_secret_value() == "super-secret-token-value"


EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "example.env"


def _clear_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)


def test_the_example_env_as_shipped_loads_with_the_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`cp config/example.env .env` must just work: its empty lines mean "not set"."""
    _clear_environment(monkeypatch)
    assert re.search(r"^DEV_GUILD_ID=$", EXAMPLE.read_text(), re.M), "the example changed"
    from_file = load_settings(_env_file=EXAMPLE)
    defaults = load_settings(_env_file=None)
    assert from_file.dev_guild_id is None and from_file.discord_token is None
    assert from_file.api_token is None and from_file.api_allowed_channels == []
    # Every value the example sets is the default: copying it changes nothing, and in
    # particular does not turn off the image's web server (WEB_ENABLED=true there).
    assert from_file.model_dump() == defaults.model_dump()
    monkeypatch.setenv("WEB_ENABLED", "true")  # as the image sets it
    assert load_settings(_env_file=EXAMPLE).web_enabled is True


def test_empty_values_in_the_environment_mean_not_set(monkeypatch: pytest.MonkeyPatch) -> None:
    """`podman run --env-file` turns `DEV_GUILD_ID=` into an empty environment variable."""
    _clear_environment(monkeypatch)
    for line in EXAMPLE.read_text().splitlines():
        if re.match(r"^[A-Z_]+=$", line):
            monkeypatch.setenv(line[:-1], "")
    monkeypatch.setenv("WEB_PORT", "")
    settings = load_settings(_env_file=None)
    assert settings.dev_guild_id is None and settings.web_port == 8080


def test_every_setting_is_in_the_example_and_the_readme() -> None:
    example = EXAMPLE.read_text()
    readme = (EXAMPLE.parents[1] / "README.md").read_text()
    for name in Settings.model_fields:
        assert re.search(rf"^#? ?{name.upper()}=", example, re.M), f"{name} not in example.env"
        assert f"`{name.upper()}`" in readme, f"{name} not in the README's table"


def test_thread_archive_minutes_takes_only_discords_durations(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FEED_THREAD_ARCHIVE_MINUTES", "4320")
    assert load_settings(_env_file=None).feed_thread_archive_minutes == 4320
    monkeypatch.setenv("FEED_THREAD_ARCHIVE_MINUTES", "30")
    with pytest.raises(SettingsError) as info:
        load_settings(_env_file=None)
    message = str(info.value)
    assert "FEED_THREAD_ARCHIVE_MINUTES" in message and "60, 1440, 4320, 10080" in message
    assert "\n" not in message
