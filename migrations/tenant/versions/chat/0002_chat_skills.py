"""chat: skills routing (agents' skills, skills an inbox's or a conversation's routing needs)

Revision ID: chat_0002
Revises: chat_0001
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "chat_0002"
down_revision: str | Sequence[str] | None = "chat_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("chat_agents", "skills"),
    ("chat_inboxes", "required_skills"),
    ("chat_conversations", "required_skills"),
)


def upgrade() -> None:
    for table, column in COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column(column, sa.Text(), nullable=False, server_default="[]"))


def downgrade() -> None:
    for table, column in reversed(COLUMNS):
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
