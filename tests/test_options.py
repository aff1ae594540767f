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


def test_sentences_resolve_in_one_order() -> None:
    resolve = options.resolve_sentences
    assert resolve(default=5) == 5
    assert resolve(server=4, default=5) == 4
    assert resolve(subscription=2, server=4, default=5) == 2
    assert resolve(7, subscription=2, server=4, default=5) == 7
    assert options.resolve_options(None, server_sentences=6).sentences == 6
    with pytest.raises(ValueError, match="sentences must be"):
        resolve(server=11)


def test_server_colours_and_languages_are_validated() -> None:
    from bot.server_settings import ServerDefaults, parse_color, parse_languages

    assert parse_color("#1f8b4c") == 0x1F8B4C == parse_color(" 1F8B4C ")
    assert parse_color("#fff") == 0xFFFFFF
    assert parse_color("default") is None
    for bad in ("blue", "#1f8b4", "#1f8b4c00", "rgb(1,2,3)", ""):
        with pytest.raises(ValueError, match="hex colour"):
            parse_color(bad)
    assert parse_languages("fr, EN; de fr") == ("de", "en", "fr")
    assert parse_languages("any") == ()
    for bad in ("english", "fr, zz", "fra", ",,"):
        with pytest.raises(ValueError):
            parse_languages(bad)
    server = ServerDefaults(languages=("fr",))
    assert server.allows_language("fr") and not server.allows_language("en")
    assert server.allows_language("und")  # unknown: let through
    assert ServerDefaults().allows_language("en")
