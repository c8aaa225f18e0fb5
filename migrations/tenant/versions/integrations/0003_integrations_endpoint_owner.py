"""integrations: who registered a webhook endpoint (told when it is auto-disabled)

Revision ID: integrations_0003
Revises: integrations_0002
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "integrations_0003"
down_revision: str | Sequence[str] | None = "integrations_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.add_column(sa.Column("created_by", sa.String(36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.drop_column("created_by")
