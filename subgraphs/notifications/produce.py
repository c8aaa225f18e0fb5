"""Writing notifications: one row per recipient plus a delivery row per enabled channel, in
the consumer's transaction. The dispatcher does the I/O afterwards (docs/events.md: handlers
write intents, dispatchers send)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.events import Event
from subgraphs.notifications.models import (
    Channel,
    DeliveryStatus,
    Notification,
    NotificationDelivery,
    NotificationKind,
)
from subgraphs.notifications.preferences import channels_for
from subgraphs.notifications.repository import NotificationsRepository, PreferencesRepository
from subgraphs.notifications.templates import render


@dataclass(frozen=True, slots=True)
class Draft:
    kind: NotificationKind
    values: dict[str, str]
    link: str | None
    subject_type: str | None
    subject_id: uuid.UUID | None


def actor_user(actor: str | None) -> uuid.UUID | None:
    """The user behind an event's actor (`<uuid>` or `user:<uuid>`), if it is one."""
    if not actor:
        return None
    raw = actor.removeprefix("user:")
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


async def notify(
    session: AsyncSession, event: Event, users: Iterable[uuid.UUID], draft: Draft
) -> list[Notification]:
    """Notify `users` (never the event's actor) once per event, user and kind."""
    actor = actor_user(event.actor)
    notifications = NotificationsRepository(session)
    preferences = PreferencesRepository(session)
    title, body = render(draft.kind, draft.values)
    created: list[Notification] = []
    for user_id in dict.fromkeys(users):
        if user_id == actor or await notifications.exists(event.event_id, user_id, draft.kind):
            continue
        channels = channels_for(draft.kind, await preferences.find(user_id, draft.kind))
        if not (channels.in_app or channels.email or channels.push):
            continue
        row = Notification(
            id=uuid.uuid4(),
            user_id=user_id,
            kind=draft.kind,
            title=title,
            body=body,
            link=draft.link,
            subject_type=draft.subject_type,
            subject_id=draft.subject_id,
            actor_id=actor,
            event_id=event.event_id,
            in_app=channels.in_app,
            created_at=event.occurred_at,
        )
        session.add(row)
        wanted = [
            (Channel.IN_APP, channels.in_app),
            (Channel.EMAIL, channels.email),
            (Channel.PUSH, channels.push),
        ]
        for channel, enabled in wanted:
            if enabled:
                session.add(
                    NotificationDelivery(
                        id=uuid.uuid4(),
                        notification_id=row.id,
                        channel=channel,
                        status=DeliveryStatus.PENDING,
                        attempts=0,
                        due_at=event.occurred_at,
                    )
                )
        created.append(row)
    await session.flush()
    return created
