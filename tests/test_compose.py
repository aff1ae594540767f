"""The compose files parse, and everything they name exists: the image's commands (parsed
by the real `precis` argument parser), the settings (config/settings.py), the volumes and
services they refer to, a health check on every long-running service.

Nothing is pulled or started here (no registry is reachable); scripts/container-test runs
the single-container image for real."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import build_parser
from config.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = {name.upper() for name in Settings.model_fields}
WORKER_COMMAND = "worker"


def load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict) and isinstance(data.get("services"), dict)
    return data


def precis_commands() -> set[str]:
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    return set(sub.choices or {})  # type: ignore[arg-type]


def check_precis_args(args: list[str]) -> None:
    """The arguments the image's entry point (`precis`) is given parse as a command."""
    assert args[0] in precis_commands(), args
    build_parser().parse_args(args)


def check_environment(service: dict[str, Any]) -> None:
    names = set(service.get("environment") or {})
    unknown = names - SETTINGS
    assert not unknown, f"not settings that config/settings.py knows: {unknown}"


def check_references(data: dict[str, Any]) -> None:
    services, volumes = data["services"], set(data.get("volumes") or {})
    for name, service in services.items():
        for mount in service.get("volumes") or []:
            source = str(mount).split(":", 1)[0]
            if not source.startswith((".", "/")):
                assert source in volumes, f"{name}: volume {source} is not declared"
        for other, how in (service.get("depends_on") or {}).items():
            assert other in services, f"{name} depends on a missing service {other}"
            if how.get("condition") == "service_healthy":
                assert "healthcheck" in services[other], f"{other} has no health check"


def check_health(name: str, service: dict[str, Any]) -> None:
    test = service["healthcheck"]["test"]
    assert test[0] in ("CMD", "CMD-SHELL"), f"{name}: {test}"
    if test[1] == "precis":
        check_precis_args(test[2:])
    timeout = int(str(service["healthcheck"]["timeout"]).rstrip("s"))
    assert timeout >= 5


def test_the_single_container_default_is_unchanged() -> None:
    data = load("compose.yaml")
    assert list(data["services"]) == ["bot"]
    bot = data["services"]["bot"]
    assert "command" not in bot  # the image's CMD: `precis run`, SQLite on the volume
    assert bot["volumes"] == ["precis-data:/data"] and "precis-data" in data["volumes"]
    assert "DATABASE_URL" not in (bot.get("environment") or {})
    check_environment(bot)
    check_references(data)
    check_health("bot", bot)
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["/usr/bin/tini", "--", "precis"]' in dockerfile
    assert 'CMD ["run"]' in dockerfile


def test_postgres_file_runs_a_database_a_gateway_and_workers() -> None:
    data = load("compose.postgres.yaml")
    services = data["services"]
    assert set(services) == {"postgres", "gateway", "worker", "migrate"}
    pg = services["postgres"]
    assert re.fullmatch(r"docker\.io/library/postgres:\d+[-\w.]*", pg["image"])  # official
    assert pg["volumes"] == ["precis-pg:/var/lib/postgresql/data"]
    assert pg["healthcheck"]["test"][1] == "pg_isready"
    assert services["gateway"]["command"] == ["run"]
    assert services["worker"]["command"] == [WORKER_COMMAND]
    assert services["worker"]["deploy"]["replicas"] >= 2
    assert services["gateway"]["environment"]["FEEDS_IN_GATEWAY"] == "false"
    migrate = services["migrate"]["command"]
    assert migrate[migrate.index("--from") + 1] == "sqlite+aiosqlite:////data/precis.sqlite3"
    assert services["migrate"]["volumes"] == ["precis-data:/data"]  # compose.yaml's volume
    for name in ("gateway", "worker", "migrate"):
        service = services[name]
        assert service["image"] == "precis:latest" and service["env_file"] == ".env"
        if name == "migrate":
            url = migrate[migrate.index("--to") + 1]
        else:
            url = service["environment"]["DATABASE_URL"]
        assert url.startswith("postgresql+asyncpg://precis:${POSTGRES_PASSWORD:?")
        assert url.endswith("@postgres:5432/precis")
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        check_environment(service)
        check_precis_args(service["command"])
        assert service["read_only"] is True and service["cap_drop"] == ["ALL"]
    for name in ("postgres", "gateway", "worker"):  # every long-running service
        check_health(name, services[name])
    assert services["migrate"]["profiles"] == ["migrate"]  # only when asked for
    check_references(data)


def test_no_secret_is_written_in_the_compose_files() -> None:
    for name in ("compose.yaml", "compose.postgres.yaml"):
        text = (ROOT / name).read_text()
        for line in text.splitlines():
            if re.search(r"(TOKEN|PASSWORD)\s*:", line):
                assert "${" in line, f"{name}: a secret written in the file: {line.strip()}"
        # the password only ever comes from .env, and says how to set it when missing
        assert "POSTGRES_PASSWORD}" not in text


def test_the_example_env_says_where_the_postgres_password_goes() -> None:
    example = (ROOT / "config" / "example.env").read_text()
    assert re.search(r"^# ?POSTGRES_PASSWORD=", example, re.M)


@pytest.mark.parametrize("name", ["compose.yaml", "compose.postgres.yaml"])
def test_the_readme_shows_each_file(name: str) -> None:
    assert name in (ROOT / "README.md").read_text()
