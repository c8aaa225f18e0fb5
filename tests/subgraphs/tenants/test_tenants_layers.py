"""Layering of the tenants subgraph: SQL only in repositories, no web framework in services."""

from __future__ import annotations

import ast
from pathlib import Path

import subgraphs.tenants

PACKAGE = Path(next(iter(subgraphs.tenants.__path__)))
WEB = ("strawberry", "starlette")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_service_repository_models_do_not_import_the_web_layer() -> None:
    for name in ("service.py", "repository.py", "models.py", "errors.py"):
        modules = imported_modules(PACKAGE / name)
        assert not [m for m in modules if m.startswith(WEB)], name


def test_select_only_in_repository() -> None:
    for path in PACKAGE.glob("*.py"):
        if path.name != "repository.py":
            assert "select(" not in path.read_text(), path.name
