"""projects: full-text search over tasks (title, description, comments) and private projects

PostgreSQL: a generated `tasks.search_vector` (title weighted A) with a GIN index, queried with
`websearch_to_tsquery`. SQLite: an FTS5 table `tasks_fts` kept in step by triggers on `tasks`.
Comments reach the index through `tasks.search_text` (their bodies, appended as they are
posted). `projects.private`: visible only to the project's members and the tenant's admins.

Revision ID: projects_0002
Revises: projects_0001
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "projects_0002"
down_revision: str | Sequence[str] | None = "projects_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_TRIGGERS = (
    "CREATE TRIGGER tasks_fts_insert AFTER INSERT ON tasks BEGIN "
    "INSERT INTO tasks_fts (task_id, title, body) "
    "VALUES (new.id, new.title, new.description || char(10) || new.search_text); END",
    "CREATE TRIGGER tasks_fts_update AFTER UPDATE OF title, description, search_text ON tasks "
    "BEGIN DELETE FROM tasks_fts WHERE task_id = old.id; "
    "INSERT INTO tasks_fts (task_id, title, body) "
    "VALUES (new.id, new.title, new.description || char(10) || new.search_text); END",
    "CREATE TRIGGER tasks_fts_delete AFTER DELETE ON tasks BEGIN "
    "DELETE FROM tasks_fts WHERE task_id = old.id; END",
)


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.add_column(
        "projects", sa.Column("private", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column("tasks", sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
    joined = (
        "string_agg(c.body, E'\\n' ORDER BY c.created_at)"
        if postgres
        else "group_concat(c.body, char(10))"
    )
    op.execute(
        f"UPDATE tasks SET search_text = coalesce((SELECT {joined} FROM task_comments c "
        "WHERE c.task_id = tasks.id), '')"
    )
    if postgres:
        op.execute(
            "ALTER TABLE tasks ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
            "(setweight(to_tsvector('simple', coalesce(title, '')), 'A') || "
            "to_tsvector('simple', coalesce(description, '') || ' ' || coalesce(search_text, '')))"
            " STORED"
        )
        op.execute("CREATE INDEX ix_tasks_search ON tasks USING gin (search_vector)")
        return
    op.execute("CREATE VIRTUAL TABLE tasks_fts USING fts5(task_id UNINDEXED, title, body)")
    for trigger in _SQLITE_TRIGGERS:
        op.execute(trigger)
    op.execute(
        "INSERT INTO tasks_fts (task_id, title, body) "
        "SELECT id, title, description || char(10) || search_text FROM tasks"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_tasks_search")
        op.execute("ALTER TABLE tasks DROP COLUMN search_vector")
    else:
        for name in ("tasks_fts_insert", "tasks_fts_update", "tasks_fts_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS tasks_fts")
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("search_text")
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("private")
