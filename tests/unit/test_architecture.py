"""The layout is the architecture: layers import downwards only, no circles, small modules, typed results.

Read from the source with :mod:`ast` (nothing is imported), so a newcomer can rerun these rules with
``.venv/bin/pytest tests/unit/test_architecture.py`` after moving code.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "coaching"
MAX_MODULE_LINES = 400
MAX_TOP_LEVEL_MODULES = 12
MAX_UNTYPED_DICTS = 20

# package -> packages it must never import (directly); "views" are read models, "services" what pages call
FORBIDDEN = {
    # the store filters by scopes (coaching.scopes) but never applies an access rule (coaching.access)
    "coaching.store": (
        "coaching.access",
        "coaching.services",
        "coaching.views",
        "coaching.cli",
        "coaching.demo",
        "coaching.analysis",
    ),
    "coaching.views": ("coaching.services", "coaching.cli", "coaching.demo"),
    "coaching.services": ("coaching.views", "coaching.cli", "coaching.demo"),
    "coaching.analysis": ("coaching.store", "coaching.services", "coaching.views", "coaching.cli", "coaching.demo"),
    "coaching.checklist": ("coaching.store", "coaching.services", "coaching.views", "coaching.analysis"),
    "coaching.metrics": ("coaching.store", "coaching.services", "coaching.views", "coaching.analysis"),
    "coaching.outcomes": ("coaching.store", "coaching.services", "coaching.views"),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(CORE.rglob("*.py")) if "migrations" not in p.parts}


def _imports(path: Path, *, runtime_only: bool) -> set[str]:
    """Modules of ``coaching`` that ``path`` imports (``if TYPE_CHECKING:`` blocks left out when runtime_only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    if runtime_only:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                skipped |= {id(n) for child in node.body for n in ast.walk(child)}
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("coaching"):
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            names |= {a.name for a in node.names if a.name.startswith("coaching")}
    return names


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {
        name: {m for m in _imports(path, runtime_only=True) if m in modules} - {name} for name, path in modules.items()
    }


def test_no_import_circles() -> None:
    graph = _graph()
    # a package imports its own modules through __init__; the catalogue edge is not a circle of behaviour
    edges = {m: {d for d in deps if m != d.rsplit(".", 1)[0]} for m, deps in graph.items()}
    state: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(edges.get(node, ())):
            if state.get(dep) == 1:
                circles.append([*stack[stack.index(dep) :], dep])
            elif dep not in state:
                visit(dep)
        stack.pop()
        state[node] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module)
    assert circles == []


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layers_import_downwards_only(package: str) -> None:
    wrong = [
        f"{name} imports {target}"
        for name, path in _modules().items()
        if name == package or name.startswith(package + ".")
        for target in _imports(path, runtime_only=False)
        if any(target == f or target.startswith(f + ".") for f in FORBIDDEN[package])
    ]
    assert wrong == []


def test_the_core_never_imports_streamlit() -> None:
    users = [name for name, path in _modules().items() if "streamlit" in path.read_text(encoding="utf-8").split()]
    users += [
        name
        for name, path in _modules().items()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Import | ast.ImportFrom)
        and any("streamlit" in (a.name or "") for a in node.names)
        | ("streamlit" in (getattr(node, "module", "") or ""))
    ]
    assert users == []


def test_top_level_of_the_core_is_a_small_kernel() -> None:
    top = sorted(p.name for p in CORE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL_MODULES, top


def test_no_module_is_over_the_size_limit() -> None:
    big = {
        name: n
        for name, path in _modules().items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert big == {}


def test_untyped_dicts_stay_at_the_edges() -> None:
    count = sum(path.read_text(encoding="utf-8").count("dict[str, Any]") for path in _modules().values())
    assert count <= MAX_UNTYPED_DICTS


def test_every_package_has_a_catalogue_docstring() -> None:
    missing = [
        name
        for name, path in _modules().items()
        if path.name == "__init__.py"
        and len((ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or "").splitlines()) < 3
    ]
    assert missing == []
