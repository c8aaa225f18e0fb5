"""files: file_usage (bytes and files stored by the tenant, for the storage quota)

Revision ID: files_0002
Revises: files_0001
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "files_0002"
down_revision: str | Sequence[str] | None = "files_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "file_usage",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.Column("files", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_file_usage"),
    )
    # what is already stored counts
    op.execute(
        "INSERT INTO file_usage (id, bytes, files) "
        "SELECT 1, COALESCE(SUM(size), 0), COUNT(*) FROM files"
    )


def downgrade() -> None:
    op.drop_table("file_usage")
