"""core: tenant_identity, the row that ties a database to its tenant

Revision ID: core_0001
Revises:
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "core_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("core",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tenant_identity",
        sa.Column("tenant_id", sa.String(36), nullable=False),
        sa.Column("slug", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", name="pk_tenant_identity"),
    )


def downgrade() -> None:
    op.drop_table("tenant_identity")
