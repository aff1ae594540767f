"""SHARD_COUNT and SHARD_IDS: read from the environment, checked together at start."""

from __future__ import annotations

import pytest

from bot.discord_adapter import shards
from config.settings import Settings, SettingsError, load_settings


def _load(monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    for name in ("SHARD_COUNT", "SHARD_IDS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return load_settings(_env_file=None)


def test_unset_means_one_unsharded_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _load(monkeypatch, SHARD_COUNT="", SHARD_IDS="")  # as `SHARD_COUNT=` in .env
    assert settings.shard_count is None and settings.shard_ids is None
    assert not settings.sharded
    assert shards.is_primary(settings)


def test_a_count_and_ids_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _load(monkeypatch, SHARD_COUNT=" 4 ", SHARD_IDS="3, 1")
    assert settings.shard_count == 4 and settings.shard_ids == [3, 1]
    assert shards.shard_options(settings) == {"shard_count": 4, "shard_ids": [3, 1]}
    assert not shards.is_primary(settings)
    assert shards.describe(settings) == "shard(s) 3, 1 of 4"
    with_zero = _load(monkeypatch, SHARD_COUNT="2", SHARD_IDS="0")
    assert shards.is_primary(with_zero)


def test_auto_asks_discord(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _load(monkeypatch, SHARD_COUNT="AUTO")
    assert settings.shard_count == "auto" and settings.sharded
    assert shards.shard_options(settings) == {"shard_count": None, "shard_ids": None}
    assert shards.is_primary(settings)


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"SHARD_COUNT": "2", "SHARD_IDS": "2"}, "SHARD_IDS 2: shards are numbered 0 to 1"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "0,5,7"}, "SHARD_IDS 5, 7: shards are numbered"),
        ({"SHARD_IDS": "0"}, "SHARD_IDS needs SHARD_COUNT set to a number"),
        ({"SHARD_COUNT": "auto", "SHARD_IDS": "0"}, "SHARD_IDS needs SHARD_COUNT set to a number"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "one"}, "SHARD_IDS: must be shard numbers"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "-1"}, "SHARD_IDS: must be shard numbers"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "1,1"}, "SHARD_IDS lists a shard twice"),
        ({"SHARD_COUNT": "0"}, "SHARD_COUNT: must be a whole number of shards"),
        ({"SHARD_COUNT": "many"}, "SHARD_COUNT: must be a whole number of shards"),
    ],
)
def test_bad_shard_settings_are_refused_in_one_line(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], says: str
) -> None:
    with pytest.raises(SettingsError) as info:
        _load(monkeypatch, **env)
    message = str(info.value)
    assert says in message and "\n" not in message
    assert "Value error" not in message
