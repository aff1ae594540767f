from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.webserver import ThreadedServer, threaded_server

# Fixtures shared across folders: the web app and its HTTP client (tests/helpers/web.py),
# used by tests/web/, tests/test_logs.py and tests/test_metrics.py.
pytest_plugins = ["tests.helpers.web"]

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SEED = ROOT / "seeds" / "000_8cab881343aabe4f.txt"


@pytest.fixture
def web_server() -> Iterator[ThreadedServer]:
    with threaded_server() as server:
        yield server


@pytest.fixture
def loopback_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the guarded fetcher reach 127.0.0.1 (only) — test servers live there."""
    monkeypatch.setenv("FETCH_ALLOWED_NETWORKS", "127.0.0.1/32")
