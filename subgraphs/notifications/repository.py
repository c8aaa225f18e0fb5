"""All SQL of the notifications subgraph (one database per tenant: rows carry no tenant)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, delete, func, or_, select, update

from subgraphs.kit.repository import Repository
from subgraphs.notifications.models import (
    DeliveryStatus,
    Notification,
    NotificationDelivery,
    NotificationPreference,
    NotificationRecipient,
    PushSubscription,
    SubjectAssignee,
)


class NotificationsRepository(Repository[Notification]):
    model = Notification

    def _mine(self, user_id: uuid.UUID) -> object:
        return and_(Notification.user_id == user_id, Notification.in_app.is_(True))

    async def page(
        self,
        user_id: uuid.UUID,
        *,
        after: tuple[datetime, uuid.UUID] | None,
        unread_only: bool,
        limit: int,
    ) -> Sequence[Notification]:
        statement = self.base().where(self._mine(user_id))  # type: ignore[arg-type]
        if unread_only:
            statement = statement.where(Notification.read_at.is_(None))
        if after is not None:
            at, key = after
            statement = statement.where(
                or_(
                    Notification.created_at < at,
                    and_(Notification.created_at == at, Notification.id < key),
                )
            )
        order = (Notification.created_at.desc(), Notification.id.desc())
        return await self.find_all(statement.order_by(*order).limit(limit))

    async def unread_count(self, user_id: uuid.UUID) -> int:
        statement = select(func.count()).where(
            self._mine(user_id),  # type: ignore[arg-type]
            Notification.read_at.is_(None),
        )
        return int((await self.session.execute(statement)).scalar_one())

    async def mark_read(
        self, user_id: uuid.UUID, ids: Sequence[uuid.UUID] | None, now: datetime
    ) -> int:
        """Mark the user's unread notifications read (`ids`, or all when None)."""
        statement = update(Notification).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)
        )
        if ids is not None:
            statement = statement.where(Notification.id.in_(list(ids)))
        result = await self.session.execute(statement.values(read_at=now))
        return int(getattr(result, "rowcount", 0) or 0)

    async def exists(self, event_id: uuid.UUID, user_id: uuid.UUID, kind: str) -> bool:
        statement = self.base().where(
            Notification.event_id == event_id,
            Notification.user_id == user_id,
            Notification.kind == kind,
        )
        return await self.find_one(statement) is not None

    async def by_ids(self, ids: Sequence[uuid.UUID]) -> Sequence[Notification]:
        return await self.find_all(self.base().where(Notification.id.in_(list(ids))))


class DeliveriesRepository(Repository[NotificationDelivery]):
    model = NotificationDelivery

    async def due(self, now: datetime, limit: int, *, lock: bool) -> Sequence[NotificationDelivery]:
        statement = (
            self.base()
            .where(
                NotificationDelivery.status == DeliveryStatus.PENDING,
                NotificationDelivery.due_at <= now,
            )
            .order_by(NotificationDelivery.due_at)
            .limit(limit)
        )
        if lock:
            statement = statement.with_for_update(skip_locked=True)
        return await self.find_all(statement)

    async def for_notification(self, notification_id: uuid.UUID) -> Sequence[NotificationDelivery]:
        statement = self.base().where(NotificationDelivery.notification_id == notification_id)
        return await self.find_all(statement)

    async def get(self, delivery_id: uuid.UUID) -> NotificationDelivery | None:
        return await self.find_one(self.base().where(NotificationDelivery.id == delivery_id))


class PreferencesRepository(Repository[NotificationPreference]):
    model = NotificationPreference

    async def for_user(self, user_id: uuid.UUID) -> Sequence[NotificationPreference]:
        return await self.find_all(self.base().where(NotificationPreference.user_id == user_id))

    async def find(self, user_id: uuid.UUID, kind: str) -> NotificationPreference | None:
        return await self.session.get(NotificationPreference, (user_id, kind))


class RecipientsRepository(Repository[NotificationRecipient]):
    model = NotificationRecipient

    async def find(self, user_id: uuid.UUID) -> NotificationRecipient | None:
        return await self.session.get(NotificationRecipient, user_id)

    async def by_handles(self, handles: Sequence[str]) -> Sequence[NotificationRecipient]:
        lowered = [h.lower() for h in handles]
        return await self.find_all(self.base().where(NotificationRecipient.handle.in_(lowered)))

    async def by_handle(self, handle: str) -> NotificationRecipient | None:
        return await self.find_one(self.base().where(NotificationRecipient.handle == handle))


class PushRepository(Repository[PushSubscription]):
    model = PushSubscription

    async def for_user(self, user_id: uuid.UUID) -> Sequence[PushSubscription]:
        statement = self.base().where(PushSubscription.user_id == user_id)
        return await self.find_all(statement.order_by(PushSubscription.created_at))

    async def by_endpoint(self, endpoint: str) -> PushSubscription | None:
        return await self.find_one(self.base().where(PushSubscription.endpoint == endpoint))

    async def remove(self, endpoint: str, user_id: uuid.UUID | None = None) -> int:
        statement = delete(PushSubscription).where(PushSubscription.endpoint == endpoint)
        if user_id is not None:
            statement = statement.where(PushSubscription.user_id == user_id)
        result = await self.session.execute(statement)
        return int(getattr(result, "rowcount", 0) or 0)


class AssigneesRepository(Repository[SubjectAssignee]):
    model = SubjectAssignee

    async def find(self, subject_type: str, subject_id: uuid.UUID) -> SubjectAssignee | None:
        return await self.session.get(SubjectAssignee, (subject_type, subject_id))
