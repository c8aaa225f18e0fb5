"""Contact details from identity: `identity.user_created` / `identity.user_updated` default a
user's notification email address (and @handle, when identity sends one) so users need not set
them in `notificationSettings` themselves.

User-set values win: a value is only filled in while the user's setting is empty, never
overwritten; a handle already taken by another user is left out. Deactivation changes nothing
(deliveries to a deactivated user are not this module's concern).
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.events import Event
from subgraphs.notifications.models import NotificationRecipient
from subgraphs.notifications.repository import RecipientsRepository
from subgraphs.notifications.service import EMAIL, HANDLE

USER_EVENTS = ("identity.user_created", "identity.user_updated")


async def identity_user(session: AsyncSession, event: Event) -> None:
    try:
        user_id = uuid.UUID(str(getattr(event, "user_id", "")))
    except ValueError:
        return
    raw_email = getattr(event, "email", None)
    email = str(raw_email).strip() if raw_email else None
    if email is not None and not EMAIL.match(email):
        email = None
    raw_handle = getattr(event, "handle", None)
    handle = str(raw_handle).lstrip("@").lower() if raw_handle else None
    if handle is not None and not HANDLE.match(handle):
        handle = None
    if email is None and handle is None:
        return
    repo = RecipientsRepository(session)
    row = await repo.find(user_id)
    if row is None:
        row = NotificationRecipient(user_id=user_id, email=None, handle=None)
        session.add(row)
    if row.email is None and email is not None:
        row.email = email
    if row.handle is None and handle is not None:
        owner = await repo.by_handle(handle)
        if owner is None or owner.user_id == user_id:
            row.handle = handle
    await session.flush()
