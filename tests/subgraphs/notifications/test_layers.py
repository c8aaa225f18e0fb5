"""Layering of the notifications subgraph: services know no GraphQL/HTTP, SQL stays in the
repository (and table definitions), imports are absolute."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[3] / "subgraphs" / "notifications"
DOMAIN = ("service.py", "produce.py", "consumers.py", "models.py", "preferences.py")


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_domain_modules_never_import_strawberry_or_starlette() -> None:
    for name in DOMAIN:
        bad = {
            m for m in _imports(PACKAGE / name) if m.split(".")[0] in {"strawberry", "starlette"}
        }
        assert not bad, (name, bad)


def test_sql_only_in_the_repository() -> None:
    for path in PACKAGE.rglob("*.py"):
        if path.name in {"repository.py", "models.py"}:
            continue
        sql = {m for m in _imports(path) if m.startswith("sqlalchemy")}
        assert sql <= {"sqlalchemy.ext.asyncio"}, (path.name, sql)


def test_imports_are_absolute() -> None:
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert node.level == 0, (path.name, node.lineno)
