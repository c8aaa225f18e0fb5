"""chat: inboxes, teams, agents (routing rows), contacts, conversations, messages, read
receipts, canned replies

Revision ID: chat_0001
Revises:
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "chat_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("chat",)
depends_on: str | Sequence[str] | None = ("core_0001",)

When = sa.DateTime(timezone=True)


def _id(name: str = "id") -> sa.Column[sa.Uuid[object]]:
    return sa.Column(name, sa.Uuid(), primary_key=True)


def upgrade() -> None:
    op.create_table(
        "chat_teams", _id(), sa.Column("name", sa.String(120), nullable=False, unique=True)
    )
    op.create_table("chat_team_members", _id("team_id"), _id("user_id"))
    op.create_table(
        "chat_inboxes",
        _id(),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("routing", sa.String(20), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Uuid(), nullable=True),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("office_hours", sa.Text(), nullable=False),
        sa.Column("away_message", sa.Text(), nullable=False),
        sa.Column("created_at", When, nullable=False),
    )
    op.create_table(
        "chat_agents",
        _id("user_id"),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("last_seen_at", When, nullable=True),
        sa.Column("last_assigned_at", When, nullable=True),
        sa.Column("freed_at", When, nullable=True),
    )
    op.create_table(
        "chat_contacts",
        _id(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=True, unique=True),
        sa.Column("token_hash", sa.String(64), nullable=True, unique=True),
        sa.Column("created_at", When, nullable=False),
    )
    op.create_table(
        "chat_conversations",
        _id(),
        sa.Column("inbox_id", sa.Uuid(), nullable=False, index=True),
        sa.Column("contact_id", sa.Uuid(), nullable=False, index=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("priority", sa.String(10), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("assignee_id", sa.Uuid(), nullable=True, index=True),
        sa.Column("queued_at", When, nullable=True),
        sa.Column("snoozed_until", When, nullable=True),
        sa.Column("ticket_id", sa.Uuid(), nullable=True, index=True),
        sa.Column("ticket_state", sa.String(10), nullable=True),
        sa.Column("merged_into_id", sa.Uuid(), nullable=True),
        sa.Column("message_seq", sa.Integer(), nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.Column("updated_at", When, nullable=False),
    )
    op.create_index("ix_chat_conversations_queue", "chat_conversations", ["queued_at", "id"])
    op.create_table(
        "chat_messages",
        _id(),
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("author_kind", sa.String(10), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("attachments", sa.Text(), nullable=False),
        sa.Column("mentions", sa.Text(), nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.UniqueConstraint("conversation_id", "seq", name="uq_chat_messages_conversation_seq"),
    )
    op.create_table(
        "chat_read_receipts",
        _id("conversation_id"),
        sa.Column("participant", sa.String(60), primary_key=True),
        sa.Column("last_read_seq", sa.Integer(), nullable=False),
        sa.Column("read_at", When, nullable=False),
    )
    op.create_table(
        "chat_canned_replies",
        _id(),
        sa.Column("short_code", sa.String(60), nullable=False, unique=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "chat_canned_replies",
        "chat_read_receipts",
        "chat_messages",
        "chat_conversations",
        "chat_contacts",
        "chat_agents",
        "chat_inboxes",
        "chat_team_members",
        "chat_teams",
    ):
        op.drop_table(table)
