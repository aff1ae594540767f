"""Which bucket a request to Discord counts against (`route_key`)."""

from __future__ import annotations

import discord
import pytest

from bot.discord_adapter.ratelimits import route_key


@pytest.fixture(autouse=True)
def api_base(monkeypatch: pytest.MonkeyPatch) -> str:
    base = "http://127.0.0.1:9999/api/v10"
    monkeypatch.setattr(discord.http.Route, "BASE", base)
    return base


def test_a_channels_id_is_part_of_its_route_other_ids_are_not(api_base: str) -> None:
    post = route_key("post", f"{api_base}/channels/123/messages")
    assert post == "POST channels/123/messages"
    edit = route_key("PATCH", f"{api_base}/channels/123/messages/456?x=1")
    assert edit == route_key("PATCH", f"{api_base}/channels/123/messages/789")
    assert edit == "PATCH channels/123/messages/{id}"
    assert route_key("GET", f"{api_base}/guilds/77/threads/active") == (
        "GET guilds/77/threads/active"
    )
    assert route_key("POST", f"{api_base}/channels/124/messages") != post


def test_other_hosts_and_interaction_answers_are_not_counted(api_base: str) -> None:
    assert route_key("GET", "https://cdn.discordapp.com/attachments/1/2/a.png") is None
    assert route_key("POST", f"{api_base}/interactions/1/tok/callback") is None
    assert route_key("POST", f"{api_base}/webhooks/1/tok") is None
