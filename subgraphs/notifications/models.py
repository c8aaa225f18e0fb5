"""Tables of the notifications subgraph, in each tenant's database (branch `notifications`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, DateTime, Integer, MetaData, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from subgraphs.kit.models import NAMING, utcnow

When = DateTime(timezone=True)


class NotificationsBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class NotificationKind(StrEnum):
    TICKET_ASSIGNED = "TICKET_ASSIGNED"
    CONVERSATION_ASSIGNED = "CONVERSATION_ASSIGNED"
    MENTIONED = "MENTIONED"
    SLA_WARNING = "SLA_WARNING"
    SLA_BREACHED = "SLA_BREACHED"
    CHAT_MESSAGE = "CHAT_MESSAGE"
    WEBHOOK_DISABLED = "WEBHOOK_DISABLED"


class Channel(StrEnum):
    IN_APP = "IN_APP"  # stored, listed, and streamed to `notificationAdded`
    EMAIL = "EMAIL"
    PUSH = "PUSH"


class DeliveryStatus(StrEnum):
    PENDING = "PENDING"
    SENT = "SENT"
    FAILED = "FAILED"
    SKIPPED = "SKIPPED"  # nothing to deliver to (no address, no push subscription)


class Notification(NotificationsBase):
    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("event_id", "user_id", "kind"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    event_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    in_app: Mapped[bool] = mapped_column(Boolean, default=True)
    read_at: Mapped[datetime | None] = mapped_column(When)
    created_at: Mapped[datetime] = mapped_column(When, default=utcnow)


class NotificationDelivery(NotificationsBase):
    """One channel's delivery of a notification: written with it, sent by the dispatcher."""

    __tablename__ = "notification_deliveries"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    notification_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    channel: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column(When, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None] = mapped_column(When)


class NotificationPreference(NotificationsBase):
    """A user's choice for one kind; absent rows mean the defaults (`preferences.DEFAULTS`)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    in_app: Mapped[bool] = mapped_column(Boolean)
    email: Mapped[bool] = mapped_column(Boolean)
    push: Mapped[bool] = mapped_column(Boolean)


class NotificationRecipient(NotificationsBase):
    """Where a user gets email and which @handle names them (set by the user)."""

    __tablename__ = "notification_recipients"

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    email: Mapped[str | None] = mapped_column(String(320))
    handle: Mapped[str | None] = mapped_column(String(64), unique=True)


class PushSubscription(NotificationsBase):
    __tablename__ = "notification_push_subscriptions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    endpoint: Mapped[str] = mapped_column(String(1000), unique=True)
    p256dh: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(When, default=utcnow)


class SubjectAssignee(NotificationsBase):
    """Who a ticket or conversation is assigned to, followed from assignment events (SLA
    events do not name the assignee, and we never read the tickets subgraph's tables)."""

    __tablename__ = "notification_subject_assignees"

    subject_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    subject_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    updated_at: Mapped[datetime] = mapped_column(When, default=utcnow)
