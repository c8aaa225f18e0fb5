"""Use cases of the current user: their notifications, preferences, settings, push
subscriptions. Every function acts for `user_id` only (the verified caller)."""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.notifications.delivery.push import PushSender
from subgraphs.notifications.errors import HandleTakenError, InvalidNotificationInputError
from subgraphs.notifications.models import (
    Notification,
    NotificationKind,
    NotificationPreference,
    NotificationRecipient,
    PushSubscription,
)
from subgraphs.notifications.preferences import Channels, channels_for
from subgraphs.notifications.repository import (
    NotificationsRepository,
    PreferencesRepository,
    PushRepository,
    RecipientsRepository,
)

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{1,63}$")
HANDLE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MAX_IDS = 500


@dataclass(frozen=True, slots=True)
class Page:
    rows: Sequence[Notification]
    size: int
    had_cursor: bool


def parse_cursor(key: str | None) -> tuple[datetime, uuid.UUID] | None:
    if key is None:
        return None
    try:
        at, raw = key.rsplit("|", 1)
        return datetime.fromisoformat(at), uuid.UUID(raw)
    except ValueError as exc:
        raise InvalidNotificationInputError(field="after", reason="bad cursor") from exc


def cursor_key_of(created_at: datetime, key: object) -> str:
    moment = created_at if created_at.tzinfo else created_at.replace(tzinfo=UTC)
    return f"{moment.isoformat()}|{key}"


async def list_notifications(
    session: AsyncSession, user_id: uuid.UUID, *, size: int, after: str | None, unread_only: bool
) -> Page:
    rows = await NotificationsRepository(session).page(
        user_id, after=parse_cursor(after), unread_only=unread_only, limit=size + 1
    )
    return Page(rows, size, after is not None)


async def unread_count(session: AsyncSession, user_id: uuid.UUID) -> int:
    return await NotificationsRepository(session).unread_count(user_id)


def _ids(raw: Sequence[str]) -> list[uuid.UUID]:
    if len(raw) > MAX_IDS:
        raise InvalidNotificationInputError(field="ids", reason=f"at most {MAX_IDS} ids")
    try:
        return [uuid.UUID(str(value)) for value in raw]
    except ValueError as exc:
        raise InvalidNotificationInputError(field="ids", reason="not a notification id") from exc


async def mark_read(
    session: AsyncSession, user_id: uuid.UUID, ids: Sequence[str] | None, everything: bool
) -> int:
    """Mark the caller's notifications read: `ids` (others' ids match nothing) or all."""
    if everything == (ids is not None):
        raise InvalidNotificationInputError(field="ids", reason="give either ids or all: true")
    chosen = None if everything else _ids(ids or [])
    return await NotificationsRepository(session).mark_read(user_id, chosen, datetime.now(UTC))


async def preferences(
    session: AsyncSession, user_id: uuid.UUID
) -> list[tuple[NotificationKind, Channels]]:
    saved = {row.kind: row for row in await PreferencesRepository(session).for_user(user_id)}
    return [(kind, channels_for(kind, saved.get(kind))) for kind in NotificationKind]


async def set_preferences(
    session: AsyncSession, user_id: uuid.UUID, changes: Sequence[tuple[NotificationKind, Channels]]
) -> list[tuple[NotificationKind, Channels]]:
    repo = PreferencesRepository(session)
    for kind, channels in changes:
        row = await repo.find(user_id, kind)
        if row is None:
            row = NotificationPreference(user_id=user_id, kind=kind)
            session.add(row)
        row.in_app, row.email, row.push = channels.in_app, channels.email, channels.push
    await session.flush()
    return await preferences(session, user_id)


async def settings(session: AsyncSession, user_id: uuid.UUID) -> NotificationRecipient:
    found = await RecipientsRepository(session).find(user_id)
    return found or NotificationRecipient(user_id=user_id, email=None, handle=None)


async def update_settings(
    session: AsyncSession, user_id: uuid.UUID, email: str | None, handle: str | None
) -> NotificationRecipient:
    """Set (or clear with "") where email goes and which @handle mentions the caller."""
    repo = RecipientsRepository(session)
    row = await repo.find(user_id)
    if row is None:
        row = NotificationRecipient(user_id=user_id)
        session.add(row)
    if email is not None:
        if email and not EMAIL.match(email):
            raise InvalidNotificationInputError(field="email", reason="not an email address")
        row.email = email or None
    if handle is not None:
        lowered = handle.lstrip("@").lower()
        if lowered and not HANDLE.match(lowered):
            raise InvalidNotificationInputError(field="handle", reason="letters, digits, . _ -")
        owner = await repo.by_handle(lowered) if lowered else None
        if owner is not None and owner.user_id != user_id:
            raise HandleTakenError(field="handle", handle=lowered)
        row.handle = lowered or None
    await session.flush()
    return row


def _key(value: str, field: str, size: int) -> str:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InvalidNotificationInputError(field=field, reason="not base64url") from exc
    if len(raw) != size:
        raise InvalidNotificationInputError(field=field, reason=f"{size} bytes expected")
    return value


async def register_push(
    session: AsyncSession,
    user_id: uuid.UUID,
    sender: PushSender,
    *,
    endpoint: str,
    p256dh: str,
    auth: str,
) -> PushSubscription:
    """Register the caller's browser; an endpoint registered before moves to the caller."""
    if len(endpoint) > 1000:
        raise InvalidNotificationInputError(field="endpoint", reason="too long")
    _key(p256dh, "p256dh", 65)
    _key(auth, "auth", 16)
    await sender.check_endpoint(endpoint)
    repo = PushRepository(session)
    row = await repo.by_endpoint(endpoint)
    if row is None:
        row = PushSubscription(id=uuid.uuid4(), endpoint=endpoint, created_at=datetime.now(UTC))
        session.add(row)
    row.user_id, row.p256dh, row.auth = user_id, p256dh, auth
    await session.flush()
    return row


async def unregister_push(session: AsyncSession, user_id: uuid.UUID, endpoint: str) -> bool:
    return await PushRepository(session).remove(endpoint, user_id) > 0


async def push_subscriptions(
    session: AsyncSession, user_id: uuid.UUID
) -> Sequence[PushSubscription]:
    return await PushRepository(session).for_user(user_id)
