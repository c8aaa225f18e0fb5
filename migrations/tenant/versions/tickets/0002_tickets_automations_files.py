"""tickets: automations (ordered per-tenant rules run on create/update), the automation named
in history rows (`tickets_changes.via`), and file attachments on comments as ids of the files
subgraph (`tickets_comments.file_ids`; the reference-style `attachments` column stays and is
served as `links`)

Revision ID: tickets_0002
Revises: tickets_0001
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "tickets_0002"
down_revision: str | Sequence[str] | None = "tickets_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tickets_automations",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("triggers", sa.Text(), nullable=False),
        sa.Column("conditions", sa.Text(), nullable=False),
        sa.Column("any_conditions", sa.Text(), nullable=False),
        sa.Column("actions", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_tickets_automations_position", "tickets_automations", ["position"])
    op.add_column("tickets_changes", sa.Column("via", sa.String(160), nullable=True))
    op.add_column(
        "tickets_comments",
        sa.Column("file_ids", sa.Text(), nullable=False, server_default="[]"),
    )


def downgrade() -> None:
    with op.batch_alter_table("tickets_comments") as batch:
        batch.drop_column("file_ids")
    with op.batch_alter_table("tickets_changes") as batch:
        batch.drop_column("via")
    op.drop_index("ix_tickets_automations_position", "tickets_automations")
    op.drop_table("tickets_automations")
