"""control: database servers, tenants, custom domains

Revision ID: control_0001
Revises:
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "control_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "database_servers",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_database_servers"),
        sa.UniqueConstraint("name", name="uq_database_servers_name"),
    )
    op.create_table(
        "tenants",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("plan", sa.String(40), nullable=False),
        sa.Column("database_server_id", sa.Uuid(), nullable=False),
        sa.Column("database_name", sa.String(63), nullable=False),
        sa.Column("provisioning_step", sa.String(40), nullable=True),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("deleted_at", TS, nullable=True),
        sa.Column("purged_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_tenants"),
        sa.UniqueConstraint("slug", name="uq_tenants_slug"),
        sa.ForeignKeyConstraint(
            ["database_server_id"],
            ["database_servers.id"],
            name="fk_tenants_database_server_id_database_servers",
        ),
    )
    op.create_index("ix_tenants_database_server_id", "tenants", ["database_server_id"])
    op.create_table(
        "custom_domains",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("host", sa.String(253), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("verification_token", sa.String(64), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("verified_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_custom_domains"),
        sa.UniqueConstraint("host", name="uq_custom_domains_host"),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name="fk_custom_domains_tenant_id_tenants",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_custom_domains_tenant_id", "custom_domains", ["tenant_id"])


def downgrade() -> None:
    op.drop_table("custom_domains")
    op.drop_table("tenants")
    op.drop_table("database_servers")
