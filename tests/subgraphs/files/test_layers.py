"""Structure of the files subgraph and kit: SQL only in the repository, services free of
GraphQL/HTTP, small modules, deliberate `__all__`, and the migration matching the models."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import subgraphs.kit.files as kit_files
from subgraphs.files.models import FilesBase
from subgraphs.kit.ids import parse_tenant_id
from tests.subgraphs.files.harness import FilesHarness

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = [ROOT / "subgraphs" / "files", ROOT / "subgraphs" / "kit" / "files"]


def _modules() -> list[Path]:
    return [p for package in PACKAGES for p in sorted(package.glob("*.py"))]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_sql_lives_in_the_repository_only() -> None:
    statements = {"select", "delete", "update", "insert", "text"}
    for path in _modules():
        if path.name == "repository.py":
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
                assert not statements & {a.name for a in node.names}, path
        assert ".execute(" not in path.read_text(), path


def test_services_and_the_kit_import_no_web_framework() -> None:
    web = ("strawberry", "starlette")
    checked = [ROOT / "subgraphs" / "files" / "service.py", *PACKAGES[1].glob("*.py")]
    for path in checked:
        assert not [m for m in _imports(path) if m.startswith(web)], path


def test_modules_stay_small() -> None:
    for path in _modules():
        assert len(path.read_text().splitlines()) < 500, path


def test_kit_exports_are_deliberate() -> None:
    assert sorted(kit_files.__all__) == kit_files.__all__
    for name in kit_files.__all__:
        assert hasattr(kit_files, name), name


async def test_the_migration_creates_what_the_models_declare(fh: FilesHarness) -> None:
    tenant = await fh.tenant()
    tenant_id = parse_tenant_id(tenant.id)
    assert tenant_id is not None

    def diff(connection: Any) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        changes = compare_metadata(context, FilesBase.metadata)
        # only our tables: the tenant database holds every subgraph's
        return [c for c in changes if _table_of(c) in FilesBase.metadata.tables]

    async with fh.identity.runtime.tenants.session(tenant_id) as session:
        connection = await session.connection()
        assert await connection.run_sync(diff) == []


def _table_of(change: Any) -> str | None:
    item = change[0] if isinstance(change, list) else change
    for part in item[1:]:
        name = getattr(part, "name", None) or getattr(getattr(part, "table", None), "name", None)
        if isinstance(name, str):
            return getattr(getattr(part, "table", None), "name", None) or name
    return None
