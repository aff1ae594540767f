"""WebConfig from the settings (WEB_*, API_TOKEN, API_ALLOWED_CHANNELS)."""

from __future__ import annotations

import pytest

from bot.web import WebConfig
from config.settings import Settings, SettingsError, load_settings

pytestmark = pytest.mark.skipif(
    "api_token" not in Settings.model_fields,
    reason="config/settings.py has no WEB_*/API_* fields yet (proposed change)",
)


def test_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEB_PORT", "9090")
    monkeypatch.setenv("API_TOKEN", "a-long-enough-api-token")
    monkeypatch.setenv("API_ALLOWED_CHANNELS", "111, 222")
    monkeypatch.setenv("LOG_FORMAT", "JSON")
    settings = load_settings(_env_file=None)
    config = WebConfig.from_settings(settings)
    assert config.port == 9090 and config.host == "127.0.0.1"
    assert config.allowed_channels == frozenset({111, 222})
    assert config.api_token is not None
    assert "a-long-enough-api-token" not in repr(config) + repr(settings)
    assert settings.log_format == "json" and settings.web_enabled is False
    assert config.max_file_bytes == settings.max_file_bytes


def test_empty_token_turns_the_api_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_TOKEN", "")
    assert WebConfig.from_settings(load_settings(_env_file=None)).api_token is None


def test_short_token_and_bad_channel_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_TOKEN", "short")
    monkeypatch.setenv("API_ALLOWED_CHANNELS", "general")
    with pytest.raises(SettingsError) as info:
        load_settings(_env_file=None)
    assert "API_TOKEN" in str(info.value) and "API_ALLOWED_CHANNELS" in str(info.value)
    assert "short" not in str(info.value).replace("shorter", "")
