"""Layering of the tickets subgraph: services are framework-free, SQL stays in repositories."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3] / "subgraphs" / "tickets"


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_services_and_sla_never_import_frameworks() -> None:
    for folder in ("service", "sla", "repository"):
        for path in (ROOT / folder).glob("*.py"):
            bad = {m for m in _imports(path) if m.split(".")[0] in {"strawberry", "starlette"}}
            assert not bad, (path.name, bad)
            graphql_layers = {m for m in _imports(path) if ".types" in m or ".resolvers" in m}
            assert not graphql_layers, (path.name, graphql_layers)


def test_sql_only_in_repositories() -> None:
    for path in ROOT.rglob("*.py"):
        if "repository" in path.parts:
            continue
        source = path.read_text()
        assert not re.search(r"(?<![.\w])(select|text|insert|update|delete)\(", source), path


def test_modules_stay_small() -> None:
    for path in ROOT.rglob("*.py"):
        assert len(path.read_text().splitlines()) < 500, path
