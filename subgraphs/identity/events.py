"""Domain events of the identity subgraph (recorded in the outbox with the change).

Services mark the users they create or change (`user_changed`); `record_user_events` turns the
marks into one event per user, in the same transaction, just before it commits (the resolver
plumbing calls it: `resolvers/common.py`). Other subgraphs keep their copy of a user's contact
details from these (notifications defaults a user's email and @handle from them).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import ClassVar

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.identity.models import User, UserStatus
from subgraphs.kit.events import Event, record, register
from subgraphs.kit.ids import TenantId

DOMAIN = "identity"
_PENDING = "identity_changed_users"
CREATED, UPDATED, DEACTIVATED = "created", "updated", "deactivated"


@dataclass(frozen=True, kw_only=True)
class _UserEvent(Event):
    user_id: uuid.UUID
    email: str | None
    name: str
    handle: str | None = None  # identity has no handles yet; consumers accept one when it does
    locale: str
    timezone: str
    kind: str


@register
@dataclass(frozen=True, kw_only=True)
class UserCreated(_UserEvent):
    event_type: ClassVar[str] = "identity.user_created"
    domain: ClassVar[str] = DOMAIN
    description: ClassVar[str] = "A user joined the tenant (sign-up, invitation, service account)."


@register
@dataclass(frozen=True, kw_only=True)
class UserUpdated(_UserEvent):
    event_type: ClassVar[str] = "identity.user_updated"
    domain: ClassVar[str] = DOMAIN
    description: ClassVar[str] = "A user's profile changed, or the user was reactivated."


@register
@dataclass(frozen=True, kw_only=True)
class UserDeactivated(_UserEvent):
    event_type: ClassVar[str] = "identity.user_deactivated"
    domain: ClassVar[str] = DOMAIN
    description: ClassVar[str] = "A user was deactivated (sessions revoked, sign-in refused)."


_TYPES: dict[str, type[_UserEvent]] = {
    CREATED: UserCreated,
    UPDATED: UserUpdated,
    DEACTIVATED: UserDeactivated,
}


def user_changed(session: AsyncSession, user: User, change: str) -> None:
    """Mark `user` for an event of this transaction; a creation stays a creation."""
    pending: dict[uuid.UUID, tuple[str, User]] = session.sync_session.info.setdefault(_PENDING, {})
    known = pending.get(user.id)
    if known is None or known[0] != CREATED:
        pending[user.id] = (change, user)


async def record_user_events(
    session: AsyncSession, tenant_id: TenantId, actor: uuid.UUID | None
) -> None:
    """Write the marked users' events to the outbox (call before the commit)."""
    pending: dict[uuid.UUID, tuple[str, User]] | None = session.sync_session.info.pop(
        _PENDING, None
    )
    if not pending:
        return
    for change, user in pending.values():
        if change == UPDATED and user.status == UserStatus.DEACTIVATED.value:
            change = DEACTIVATED
        record(
            session,
            _TYPES[change](
                tenant_id=tenant_id,
                actor=str(actor) if actor is not None else None,
                user_id=user.id,
                email=user.email,
                name=user.name,
                locale=user.locale,
                timezone=user.timezone,
                kind=user.kind,
            ),
        )
    await session.flush()


def discard_user_events(session: AsyncSession) -> None:
    session.sync_session.info.pop(_PENDING, None)
