"""Layering of the chat subgraph: services know no GraphQL/HTTP, SQL stays in repositories."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[3] / "subgraphs" / "chat"


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_services_never_import_strawberry_or_starlette() -> None:
    for path in [*(PACKAGE / "service").glob("*.py"), PACKAGE / "views.py", PACKAGE / "models.py"]:
        bad = {m for m in _imports(path) if m.split(".")[0] in {"strawberry", "starlette"}}
        assert not bad, (path.name, bad)


def test_sql_only_in_repositories() -> None:
    """Outside repositories (and the table definitions) nothing imports SQLAlchemy's
    statement builders; sessions travel as `AsyncSession` only."""
    for path in PACKAGE.rglob("*.py"):
        if "repository" in path.parts:
            continue
        assert not any(
            m.startswith("sqlalchemy")
            and m != "sqlalchemy.ext.asyncio"
            and path.name != "models.py"
            for m in _imports(path)
        ), path.name


def test_imports_are_absolute() -> None:
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert node.level == 0, (path.name, node.lineno)
