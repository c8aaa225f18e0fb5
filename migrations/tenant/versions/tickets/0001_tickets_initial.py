"""tickets: tickets, statuses, priorities, groups, custom fields, conversation, history, SLA,
macros, views; default statuses and priorities; full-text search (tsvector + GIN on
PostgreSQL, FTS5 on SQLite)

Revision ID: tickets_0001
Revises:
Create Date: 2026-11-29
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "tickets_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("tickets",)
depends_on: str | Sequence[str] | None = ("core_0001",)

When = sa.DateTime(timezone=True)

STATUSES = [
    ("new", "New", "NEW", False),
    ("open", "Open", "OPEN", False),
    ("pending", "Pending", "PENDING", True),
    ("on_hold", "On-hold", "ON_HOLD", True),
    ("solved", "Solved", "SOLVED", True),
    ("closed", "Closed", "CLOSED", True),
]
PRIORITIES = [
    ("low", "Low", 10),
    ("normal", "Normal", 20),
    ("high", "High", 30),
    ("urgent", "Urgent", 40),
]


def upgrade() -> None:
    op.create_table(
        "tickets_calendars",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("hours", sa.Text(), nullable=False),
        sa.Column("holidays", sa.Text(), nullable=False),
    )
    op.create_table(
        "tickets_changes",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("ticket_id", sa.Uuid(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("at", When, nullable=False),
        sa.Column("field", sa.String(80), nullable=False),
        sa.Column("old", sa.Text(), nullable=True),
        sa.Column("new", sa.Text(), nullable=True),
    )
    op.create_index("ix_tickets_changes_ticket_id", "tickets_changes", ["ticket_id"])
    op.create_table(
        "tickets_comments",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("ticket_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("attachments", sa.Text(), nullable=False),
        sa.Column("mentions", sa.Text(), nullable=False),
        sa.Column("created_at", When, nullable=False),
    )
    op.create_index("ix_tickets_comments_ticket_id", "tickets_comments", ["ticket_id"])
    op.create_table(
        "tickets_counters",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("value", sa.Integer(), nullable=False),
    )
    op.create_table(
        "tickets_custom_fields",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("key", sa.String(60), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("key", name="uq_tickets_custom_fields_key"),
    )
    op.create_table(
        "tickets_field_values",
        sa.Column("ticket_id", sa.Uuid(), primary_key=True),
        sa.Column("field_id", sa.Uuid(), primary_key=True),
        sa.Column("value", sa.String(500), nullable=False),
        sa.Column("number", sa.Float(), nullable=True),
    )
    op.create_index("ix_tickets_field_values_value", "tickets_field_values", ["value"])
    op.create_table(
        "tickets_group_members",
        sa.Column("group_id", sa.Uuid(), primary_key=True),
        sa.Column("user_id", sa.Uuid(), primary_key=True),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
    )
    op.create_table(
        "tickets_groups",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("auto_assign", sa.String(20), nullable=False),
        sa.Column("cursor", sa.Integer(), nullable=False),
        sa.UniqueConstraint("name", name="uq_tickets_groups_name"),
    )
    op.create_table(
        "tickets_macros",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("actions", sa.Text(), nullable=False),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("reply_public", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "tickets_priorities",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("key", sa.String(60), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.UniqueConstraint("key", name="uq_tickets_priorities_key"),
    )
    op.create_table(
        "tickets_sla_clocks",
        sa.Column("ticket_id", sa.Uuid(), primary_key=True),
        sa.Column("metric", sa.String(30), primary_key=True),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("target_seconds", sa.Integer(), nullable=False),
        sa.Column("consumed", sa.Float(), nullable=False),
        sa.Column("running_since", When, nullable=True),
        sa.Column("due_at", When, nullable=True),
        sa.Column("warn_at", When, nullable=True),
        sa.Column("fulfilled_at", When, nullable=True),
        sa.Column("breached_at", When, nullable=True),
        sa.Column("calendar_id", sa.Uuid(), nullable=True),
    )
    op.create_index("ix_tickets_sla_clocks_warn_at", "tickets_sla_clocks", ["warn_at"])
    op.create_index("ix_tickets_sla_clocks_due_at", "tickets_sla_clocks", ["due_at"])
    op.create_table(
        "tickets_sla_emissions",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("ticket_id", sa.Uuid(), nullable=False),
        sa.Column("metric", sa.String(30), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("at", When, nullable=False),
        sa.UniqueConstraint(
            "ticket_id", "metric", "cycle", "kind", name="uq_tickets_sla_emissions_ticket_id"
        ),
    )
    op.create_table(
        "tickets_sla_policies",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("conditions", sa.Text(), nullable=False),
        sa.Column("targets", sa.Text(), nullable=False),
        sa.Column("calendar_id", sa.Uuid(), nullable=True),
        sa.Column("warn_before_minutes", sa.Integer(), nullable=False),
    )
    op.create_table(
        "tickets_statuses",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("key", sa.String(60), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("pauses_sla", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("key", name="uq_tickets_statuses_key"),
    )
    op.create_table(
        "tickets_tags",
        sa.Column("ticket_id", sa.Uuid(), primary_key=True),
        sa.Column("tag", sa.String(100), primary_key=True),
    )
    op.create_index("ix_tickets_tags_tag", "tickets_tags", ["tag"])
    op.create_table(
        "tickets_tickets",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status_id", sa.Uuid(), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("priority_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("requester_id", sa.Uuid(), nullable=False),
        sa.Column("assignee_id", sa.Uuid(), nullable=True),
        sa.Column("group_id", sa.Uuid(), nullable=True),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.Column("custom_fields", sa.Text(), nullable=False),
        sa.Column("sla_policy_id", sa.Uuid(), nullable=True),
        sa.Column("sla_breached", sa.Boolean(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("merged_into_id", sa.Uuid(), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.Column("updated_at", When, nullable=False),
        sa.Column("first_responded_at", When, nullable=True),
        sa.Column("solved_at", When, nullable=True),
        sa.Column("closed_at", When, nullable=True),
        sa.Column("csat_score", sa.Integer(), nullable=True),
        sa.Column("csat_comment", sa.Text(), nullable=True),
        sa.Column("csat_requested_at", When, nullable=True),
        sa.UniqueConstraint("number", name="uq_tickets_tickets_number"),
    )
    op.create_index("ix_tickets_tickets_created_at", "tickets_tickets", ["created_at"])
    op.create_index("ix_tickets_tickets_priority_id", "tickets_tickets", ["priority_id"])
    op.create_index("ix_tickets_tickets_status_id", "tickets_tickets", ["status_id"])
    op.create_index("ix_tickets_tickets_parent_id", "tickets_tickets", ["parent_id"])
    op.create_index("ix_tickets_tickets_assignee_id", "tickets_tickets", ["assignee_id"])
    op.create_index("ix_tickets_tickets_requester_id", "tickets_tickets", ["requester_id"])
    op.create_index("ix_tickets_tickets_group_id", "tickets_tickets", ["group_id"])
    op.create_index("ix_tickets_tickets_updated_at", "tickets_tickets", ["updated_at"])
    op.create_index("ix_tickets_tickets_category", "tickets_tickets", ["category"])
    op.create_table(
        "tickets_views",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("filter", sa.Text(), nullable=False),
        sa.Column("created_at", When, nullable=False),
    )
    _seed()
    _search()


def _seed() -> None:
    statuses = sa.table(
        "tickets_statuses",
        sa.column("id", sa.Uuid()),
        sa.column("key", sa.String()),
        sa.column("name", sa.String()),
        sa.column("category", sa.String()),
        sa.column("pauses_sla", sa.Boolean()),
        sa.column("position", sa.Integer()),
        sa.column("active", sa.Boolean()),
    )
    op.bulk_insert(
        statuses,
        [
            {
                "id": uuid.uuid4(),
                "key": k,
                "name": n,
                "category": c,
                "pauses_sla": p,
                "position": i,
                "active": True,
            }
            for i, (k, n, c, p) in enumerate(STATUSES)
        ],
    )
    priorities = sa.table(
        "tickets_priorities",
        sa.column("id", sa.Uuid()),
        sa.column("key", sa.String()),
        sa.column("name", sa.String()),
        sa.column("rank", sa.Integer()),
    )
    op.bulk_insert(
        priorities, [{"id": uuid.uuid4(), "key": k, "name": n, "rank": r} for k, n, r in PRIORITIES]
    )
    counters = sa.table(
        "tickets_counters", sa.column("name", sa.String()), sa.column("value", sa.Integer())
    )
    op.bulk_insert(counters, [{"name": "ticket_number", "value": 1000}])


def _search() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE tickets_tickets ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
            "(setweight(to_tsvector('simple', coalesce(subject, '')), 'A') || "
            "to_tsvector('simple', coalesce(description, '') || ' ' || coalesce(search_text, '')))"
            " STORED"
        )
        op.execute(
            "CREATE INDEX ix_tickets_tickets_search ON tickets_tickets USING gin (search_vector)"
        )
    else:
        op.execute("CREATE VIRTUAL TABLE tickets_fts USING fts5(ticket_id UNINDEXED, body)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TABLE IF EXISTS tickets_fts")
    for name in [
        "tickets_views",
        "tickets_macros",
        "tickets_sla_emissions",
        "tickets_sla_clocks",
        "tickets_sla_policies",
        "tickets_calendars",
        "tickets_changes",
        "tickets_comments",
        "tickets_field_values",
        "tickets_tags",
        "tickets_tickets",
        "tickets_custom_fields",
        "tickets_group_members",
        "tickets_groups",
        "tickets_priorities",
        "tickets_statuses",
        "tickets_counters",
    ]:
        op.drop_table(name)
