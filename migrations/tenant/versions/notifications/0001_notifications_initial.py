"""notifications: notifications, deliveries, preferences, recipients, push subscriptions,
followed assignees

Revision ID: notifications_0001
Revises:
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "notifications_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("notifications",)
depends_on: str | Sequence[str] | None = ("core_0001",)

When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(500), nullable=True),
        sa.Column("subject_type", sa.String(40), nullable=True),
        sa.Column("subject_id", sa.Uuid(), nullable=True),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("in_app", sa.Boolean(), nullable=False),
        sa.Column("read_at", When, nullable=True),
        sa.Column("created_at", When, nullable=False),
        sa.UniqueConstraint("event_id", "user_id", "kind", name="uq_notifications_event_id"),
    )
    op.create_index("ix_notifications_user_id", "notifications", ["user_id"])
    # the list (newest first) and the unread count of one user
    op.create_index("ix_notifications_feed", "notifications", ["user_id", "created_at", "id"])
    op.create_index("ix_notifications_unread", "notifications", ["user_id", "read_at"])
    op.create_table(
        "notification_deliveries",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("notification_id", sa.Uuid(), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("due_at", When, nullable=False),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("sent_at", When, nullable=True),
    )
    op.create_index(
        "ix_notification_deliveries_notification_id",
        "notification_deliveries",
        ["notification_id"],
    )
    op.create_index(
        "ix_notification_deliveries_due", "notification_deliveries", ["status", "due_at"]
    )
    op.create_table(
        "notification_preferences",
        sa.Column("user_id", sa.Uuid(), primary_key=True),
        sa.Column("kind", sa.String(40), primary_key=True),
        sa.Column("in_app", sa.Boolean(), nullable=False),
        sa.Column("email", sa.Boolean(), nullable=False),
        sa.Column("push", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "notification_recipients",
        sa.Column("user_id", sa.Uuid(), primary_key=True),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("handle", sa.String(64), nullable=True, unique=True),
    )
    op.create_table(
        "notification_push_subscriptions",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("endpoint", sa.String(1000), nullable=False, unique=True),
        sa.Column("p256dh", sa.String(200), nullable=False),
        sa.Column("auth", sa.String(100), nullable=False),
        sa.Column("created_at", When, nullable=False),
    )
    op.create_index(
        "ix_notification_push_subscriptions_user_id",
        "notification_push_subscriptions",
        ["user_id"],
    )
    op.create_table(
        "notification_subject_assignees",
        sa.Column("subject_type", sa.String(40), primary_key=True),
        sa.Column("subject_id", sa.Uuid(), primary_key=True),
        sa.Column("assignee_id", sa.Uuid(), nullable=True),
        sa.Column("updated_at", When, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "notification_subject_assignees",
        "notification_push_subscriptions",
        "notification_recipients",
        "notification_preferences",
        "notification_deliveries",
        "notifications",
    ):
        op.drop_table(table)
