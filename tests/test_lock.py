"""The lock files agree with pyproject.toml, with each other, and with this venv.

The image installs requirements.lock and the venv requirements-dev.lock, both with
`pip install --require-hashes --no-deps`: pip resolves nothing, so a lock that missed a
package (a transitive one, or one an extra asks for, like lxml[html_clean]) would only show
at run time. These tests find such a gap first.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^ \\;]+)", re.M)


def _pins(name: str) -> dict[str, str]:
    text = (ROOT / name).read_text()
    pins = {canonicalize_name(n): v for n, v in PIN.findall(text)}
    # Every pinned line carries hashes (installing with --require-hashes needs them).
    assert len(re.findall(r"^\S+==", text, re.M)) == len(pins)
    return pins


RUNTIME = _pins("requirements.lock")
DEV = _pins("requirements-dev.lock")
PROJECT = PYPROJECT["project"]
IMAGE_ROOTS = [*PROJECT["dependencies"], *PROJECT["optional-dependencies"]["postgres"]]
BUILD_ROOTS = PYPROJECT["build-system"]["requires"]
DEV_ROOTS = [*IMAGE_ROOTS, *PROJECT["optional-dependencies"]["dev"]]


def _closure(roots: list[str]) -> dict[str, set[str]]:
    """Every package the roots need, with the extras asked of it, read from the metadata
    of the installed distributions (the venv holds the same versions: see below)."""
    env = default_environment()
    needed: dict[str, set[str]] = {}
    done: set[tuple[str, frozenset[str]]] = set()
    todo = [Requirement(r) for r in roots]
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        if (name, frozenset(req.extras)) in done:
            continue
        done.add((name, frozenset(req.extras)))
        needed.setdefault(name, set()).update(req.extras)
        for line in metadata.requires(req.name) or []:
            dep = Requirement(line)
            if dep.marker is None or any(
                dep.marker.evaluate({**env, "extra": extra}) for extra in ("", *req.extras)
            ):
                todo.append(dep)
    return needed


@pytest.mark.parametrize(
    ("lock", "roots"),
    [
        ("requirements.lock", IMAGE_ROOTS + BUILD_ROOTS),
        ("requirements-dev.lock", DEV_ROOTS + BUILD_ROOTS),
    ],
)
def test_every_requirement_of_pyproject_is_pinned_within_its_range(
    lock: str, roots: list[str]
) -> None:
    pins = _pins(lock)
    for line in roots:
        req = Requirement(line)
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} (pyproject.toml) is missing from {lock}: run scripts/lock"
        assert req.specifier.contains(pins[name], prereleases=True), (
            f"{lock} pins {name}=={pins[name]}, outside pyproject's {req}: run scripts/lock"
        )


def test_the_venv_runs_exactly_the_dev_lock() -> None:
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()}
    wrong = {n: (v, installed.get(n)) for n, v in DEV.items() if installed.get(n) != v}
    assert not wrong, f"locked vs installed: {wrong} (./scripts/test reinstalls from the lock)"


def test_the_two_locks_pin_the_same_versions() -> None:
    assert set(RUNTIME) <= set(DEV)
    assert {n: DEV[n] for n in RUNTIME} == RUNTIME


@pytest.mark.parametrize(
    ("pins", "roots"), [(RUNTIME, IMAGE_ROOTS + BUILD_ROOTS), (DEV, DEV_ROOTS + BUILD_ROOTS)]
)
def test_each_lock_is_complete_extras_included(pins: dict[str, str], roots: list[str]) -> None:
    needed = _closure(roots)
    assert "lxml-html-clean" in needed, "lxml[html_clean] (via sumy) is no longer needed?"
    missing = sorted(set(needed) - set(pins))
    assert not missing, f"needed but not locked: {missing}: run scripts/lock"
