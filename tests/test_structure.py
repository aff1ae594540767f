"""The shape of the code: layers that only import downward, no cycle, discord only in the
adapter, and no file or function too long to read."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "cogs", "config")

# Lowest first. A module may import its own layer or lower ones, never a higher one.
LAYERS: list[tuple[str, ...]] = [
    ("bot.errors", "bot.models", "bot.options", "bot.server_settings", "bot.escape",
     "bot.compiled", "bot.__init__"),
    ("config",),
    ("bot.nlp",),
    ("bot.ingest",),
    ("bot.workers", "bot.pipeline", "bot.warm", "bot.render", "bot.batch", "bot.stories"),
    ("bot.metrics", "bot.logs"),
    ("bot.service", "bot.feeds", "bot.migrations"),
    ("bot.web",),
    ("bot.discord_adapter",),
    ("cogs",),
    ("bot.cli", "bot.__main__"),
]
DISCORD_ALLOWED = ("bot.discord_adapter", "cogs")
MAX_FILE_LINES = 500
MAX_FUNCTION_LINES = 60


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__") if name.endswith(".__init__") else name] = path
    return found


MODULES = _modules()


def _layer(module: str) -> int:
    for index, prefixes in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return index
    if module == "bot":
        return 0
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS")


def _type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def _imports(module: str, path: Path) -> set[str]:
    """Every module this one imports (also inside functions), TYPE_CHECKING ones aside."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and _type_checking(node)
            for n in ast.walk(node)}  # fmt: skip
    found: set[str] = set()
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] in (*PACKAGES, "discord")}


GRAPH = {m: {i for i in _imports(m, p) if i in MODULES or i.split(".")[0] == "discord"}
         for m, p in MODULES.items()}  # fmt: skip


def test_no_import_climbs_back_up() -> None:
    wrong = [
        f"{module} (layer {_layer(module)}) imports {target} (layer {_layer(target)})"
        for module, targets in GRAPH.items()
        for target in targets
        if target.split(".")[0] != "discord" and _layer(target) > _layer(module)
    ]
    assert not wrong, "\n".join(wrong)


def test_there_is_no_import_cycle() -> None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        stack.append(module)
        for target in sorted(GRAPH[module]):
            if target not in GRAPH or target == module:
                continue
            if state.get(target) == 1:
                cycle = stack[stack.index(target):] + [target]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        stack.pop()
        state[module] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module)


def test_only_the_adapter_and_the_cogs_import_discord() -> None:
    users = sorted(m for m, targets in GRAPH.items()
                   if any(t.split(".")[0] == "discord" for t in targets))  # fmt: skip
    assert users, "nothing imports discord?"
    wrong = [m for m in users if not any(m.startswith(p) for p in DISCORD_ALLOWED)]
    assert not wrong, wrong


@pytest.mark.parametrize("module", sorted(MODULES))
def test_files_and_functions_stay_short(module: str) -> None:
    path = MODULES[module]
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_FILE_LINES, f"{path}: {len(text.splitlines())} lines"
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            assert length <= MAX_FUNCTION_LINES, f"{path}:{node.lineno} {node.name}: {length}"
