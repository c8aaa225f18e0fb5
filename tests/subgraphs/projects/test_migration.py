"""Migration projects_0002 on a database that already holds tasks and comments: the search
index (PostgreSQL's generated vector, SQLite's FTS5 table) covers the existing rows, their
comments included, and projects start public."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import make_url, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from saas_platform.tenancy.migrations import tenant_config
from tests.conftest import POSTGRES_URL


def _upgrade(connection: Connection, revision: str) -> None:
    config = tenant_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


async def upgrade(engine: AsyncEngine, revision: str) -> None:
    async with engine.connect() as connection:
        await connection.run_sync(_upgrade, revision)
        await connection.commit()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    if request.param == "sqlite":
        created = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'tenant.db'}")
        yield created
        await created.dispose()
        return
    name = f"projects_mig_{uuid.uuid4().hex[:12]}"
    server = make_url(POSTGRES_URL).set(drivername="postgresql+asyncpg")
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    created = create_async_engine(server.set(database=name))
    try:
        yield created
    finally:
        await created.dispose()
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        await admin.dispose()


async def test_existing_tasks_and_comments_become_searchable(engine: AsyncEngine) -> None:
    await upgrade(engine, "projects_0001")
    project, state, task = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    now = datetime.now(UTC)
    sqlite = engine.dialect.name == "sqlite"

    def key(value: uuid.UUID) -> Any:
        return value.hex if sqlite else value  # SQLAlchemy's Uuid on SQLite: 32 hex chars

    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO projects (id, key, name, description, status, task_counter, "
                "created_at, updated_at) VALUES (:id, 'MIG', 'M', '', 'ACTIVE', 1, :now, :now)"
            ),
            {"id": key(project), "now": now},
        )
        await connection.execute(
            text(
                "INSERT INTO workflow_states (id, project_id, name, category, position) "
                "VALUES (:id, :p, 'Todo', 'UNSTARTED', 0)"
            ),
            {"id": key(state), "p": key(project)},
        )
        await connection.execute(
            text(
                "INSERT INTO tasks (id, project_id, number, title, description, state_id, "
                "priority, priority_weight, rank, created_at, updated_at) VALUES "
                "(:id, :p, 1, 'Legacy title', 'old description', :s, 'NONE', 5, 'a', :now, :now)"
            ),
            {"id": key(task), "p": key(project), "s": key(state), "now": now},
        )
        for body in ("first remark", "second zebra"):
            await connection.execute(
                text(
                    "INSERT INTO task_comments (id, task_id, body, mentions, created_at) "
                    "VALUES (:id, :t, :b, '', :now)"
                ),
                {"id": key(uuid.uuid4()), "t": key(task), "b": body, "now": now},
            )
    await upgrade(engine, "projects_0002")
    if sqlite:
        match = "SELECT task_id FROM tasks_fts WHERE tasks_fts MATCH :q"
    else:
        match = "SELECT id FROM tasks WHERE search_vector @@ websearch_to_tsquery('simple', :q)"
    async with engine.connect() as connection:
        for word in ("legacy", "description", "remark", "zebra"):
            found = (await connection.execute(text(match), {"q": word})).scalars().all()
            assert [str(f) if not sqlite else f for f in found] == [
                key(task) if sqlite else str(task)
            ], word
        assert (await connection.execute(text(match), {"q": "absent"})).all() == []
        search_text = (await connection.execute(text("SELECT search_text FROM tasks"))).scalar()
        assert sorted(search_text.split("\n")) == ["first remark", "second zebra"]
        private = (await connection.execute(text("SELECT private FROM projects"))).scalar()
        assert not private
