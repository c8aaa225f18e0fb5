"""tickets: time-based and comment automations: when a ticket's status last changed
(`tickets.status_changed_at`, backfilled from the history), who saved a rule last
(`tickets_automations.updated_by`) and the windows a time rule already fired in
(`tickets_automation_firings`)

Revision ID: tickets_0003
Revises: tickets_0002
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "tickets_0003"
down_revision: str | Sequence[str] | None = "tickets_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "tickets_tickets", sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.execute(
        "UPDATE tickets_tickets SET status_changed_at = (SELECT MAX(c.at) FROM tickets_changes c"
        " WHERE c.ticket_id = tickets_tickets.id AND c.field = 'status')"
    )
    op.add_column("tickets_automations", sa.Column("updated_by", sa.Uuid(), nullable=True))
    op.create_table(
        "tickets_automation_firings",
        sa.Column("automation_id", sa.Uuid(), primary_key=True),
        sa.Column("ticket_id", sa.Uuid(), primary_key=True),
        sa.Column("window_key", sa.String(200), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_tickets_automation_firings_ticket_id", "tickets_automation_firings", ["ticket_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_tickets_automation_firings_ticket_id", "tickets_automation_firings")
    op.drop_table("tickets_automation_firings")
    with op.batch_alter_table("tickets_automations") as batch:
        batch.drop_column("updated_by")
    with op.batch_alter_table("tickets_tickets") as batch:
        batch.drop_column("status_changed_at")
