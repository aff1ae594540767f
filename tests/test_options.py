"""Summary options are defined once and validated where they come in."""

from __future__ import annotations

import pytest

from bot import options
from bot.nlp.summarize import ALGORITHMS as BUILT
from config.settings import SettingsError, load_settings


def test_every_named_algorithm_is_built_and_no_other() -> None:
    assert tuple(BUILT) == options.ALGORITHMS
    assert options.DEFAULT_ALGORITHM in options.ALGORITHMS


def test_resolve_uses_the_request_then_the_default() -> None:
    assert options.resolve_options(None, default_sentences=5).sentences == 5
    assert options.resolve_options(2, default_sentences=5).sentences == 2
    with pytest.raises(ValueError, match="sentences must be 1–10, not 11"):
        options.resolve_options(11)
    with pytest.raises(ValueError, match="Unknown summary algorithm 'lexrank'"):
        options.resolve_options(algorithm="lexrank")


def test_an_unknown_algorithm_stops_the_settings_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ALGORITHM", "lexrank")
    with pytest.raises(SettingsError) as info:
        load_settings(_env_file=None)
    message = str(info.value)
    assert "\n" not in message and message.startswith("Invalid settings: ALGORITHM:")
    assert "lex-rank" in message  # the valid names are listed
    monkeypatch.setenv("ALGORITHM", "lex-rank")
    assert load_settings(_env_file=None).algorithm == "lex-rank"
