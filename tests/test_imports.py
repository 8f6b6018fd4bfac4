"""The package's layout holds: packages import only the packages listed before them in
the README's Architecture section, no module-level import cycle, no report writer
importing the driver, and nothing on the runtime path importing the evaluation code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "dedupe"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports() -> dict[str, set[str]]:
    """Each module's module-level imports of the package (a ``TYPE_CHECKING`` block too)."""
    found: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        me = module_name(path)
        base = me.split(".") if path.name == "__init__.py" else me.split(".")[:-1]
        found[me] = set()
        for node in ast.parse(path.read_text()).body:
            for stmt in node.body if isinstance(node, ast.If) else [node]:
                if isinstance(stmt, ast.ImportFrom):
                    up = base[: len(base) - stmt.level + 1] if stmt.level else []
                    target = ".".join(up + ([stmt.module] if stmt.module else []))
                    if target.split(".")[0] != "dedupe":
                        continue
                    for alias in stmt.names:  # ``from . import x``: the module x
                        name = f"{target}.{alias.name}"
                        is_module = (ROOT / name.replace(".", "/")).with_suffix(".py").exists()
                        found[me].add(name if is_module else target)
    return found


def area(module: str) -> str:
    """The package a module belongs to, or ``shared`` for the top-level modules."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and (PACKAGE / parts[1]).is_dir() else "shared"


def documented_order() -> list[str]:
    """The packages in the order the README's Architecture section lists them."""
    text = (ROOT / "README.md").read_text()
    block = text[text.index("### Architecture") :].split("```")[1]
    return re.findall(r"^  (\w+)/", block, re.M)


def test_packages_import_only_packages_listed_before_them():
    order = documented_order()
    assert set(order) == {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    rank = {name: k for k, name in enumerate(order)}
    for module, targets in imports().items():
        for target in targets:
            mine, theirs = area(module), area(target)
            if theirs == "shared":
                continue
            if mine == "shared":
                assert theirs == "read", (module, target)  # the records name Documents
                continue
            assert rank[theirs] <= rank[mine], (module, target)


def test_no_module_level_import_cycle():
    graph = {m: {t for t in ts if t in imports_cache and t != m} for m, ts in imports_cache.items()}
    state: dict[str, int] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in graph[module]:
            assert state.get(target) != 1, " -> ".join([*path, module, target])
            if target not in state:
                visit(target, [*path, module])
        state[module] = 2

    for module in graph:
        if module not in state:
            visit(module, [])


def test_no_report_writer_imports_the_driver_and_the_runtime_no_evaluation():
    for module, targets in imports_cache.items():
        if area(module) == "report":
            assert not any(area(t) == "pipeline" for t in targets), module
        if area(module) != "evaluation":
            assert not any(area(t) == "evaluation" for t in targets), module


imports_cache = imports()
