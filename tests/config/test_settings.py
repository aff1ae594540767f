import pytest

from config.settings import SettingsError, load_settings


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
