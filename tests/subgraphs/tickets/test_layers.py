"""Layering of the tickets subgraph: services are framework-free, SQL stays in repositories."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from subgraphs.kit.ids import parse_tenant_id
from subgraphs.tickets.models import TicketsBase
from tests.subgraphs.tickets.harness import TicketsHarness

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


async def test_the_migrations_create_what_the_models_declare(th: TicketsHarness) -> None:
    tenant = await th.identity.owned_tenant()
    tenant_id = parse_tenant_id(tenant.id)
    assert tenant_id is not None

    def diff(connection: Any) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        changes = compare_metadata(context, TicketsBase.metadata)
        # only our tables (the tenant database holds every subgraph's), less PostgreSQL's
        # search column and its GIN index, which the migration adds outside the models
        ours = [c for c in changes if _table_of(c) in TicketsBase.metadata.tables]
        return [c for c in ours if "search_vector" not in repr(c)]

    async with th.identity.runtime.tenants.session(tenant_id) as session:
        connection = await session.connection()
        assert await connection.run_sync(diff) == []


def _table_of(change: Any) -> str | None:
    item = change[0] if isinstance(change, list) else change
    for part in item[1:]:
        table = getattr(part, "table", None)
        name = getattr(table, "name", None) or getattr(part, "name", None)
        if isinstance(name, str):
            return name
    return None
