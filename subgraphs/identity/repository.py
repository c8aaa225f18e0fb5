"""All SQL of the identity subgraph (tenant database: every table belongs to one tenant)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select, tuple_, update
from sqlalchemy.orm import selectinload

from subgraphs.identity.models import (
    ApiKey,
    AuditEvent,
    Invitation,
    Membership,
    OneTimeToken,
    RecoveryCode,
    RefreshToken,
    Role,
    Session,
    Setting,
    User,
    UserKind,
    UserStatus,
)
from subgraphs.kit.repository import Repository

Keyset = tuple[datetime, uuid.UUID]


def _after(statement: Select[Any], columns: tuple[Any, Any], key: Keyset | None, desc: bool) -> Any:
    if key is None:
        return statement
    pair = tuple_(*columns)
    return statement.where(pair < tuple_(*key) if desc else pair > tuple_(*key))


class UserRepository(Repository[User]):
    model = User

    def base(self) -> Select[User]:
        return super().base().options(selectinload(User.membership))

    async def find_by_id(self, user_id: uuid.UUID) -> User | None:
        return await self.find_one(self.base().where(User.id == user_id))

    async def find_by_email(self, email: str) -> User | None:
        return await self.find_one(self.base().where(User.email == email))

    async def list_by_ids(self, ids: Sequence[uuid.UUID]) -> Sequence[User]:
        return await self.find_all(self.base().where(User.id.in_(ids)))

    async def count(self) -> int:
        result = await self.session.execute(select(func.count()).select_from(User))
        return int(result.scalar_one())

    async def count_active_with_role(self, role: str) -> int:
        statement = (
            select(func.count())
            .select_from(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.role == role, User.status == UserStatus.ACTIVE.value)
        )
        return int((await self.session.execute(statement)).scalar_one())

    async def list_page(
        self,
        *,
        after: Keyset | None,
        limit: int,
        roles: Sequence[str] = (),
        statuses: Sequence[str] = (),
        search: str | None = None,
        kinds: Sequence[str] = (UserKind.HUMAN.value, UserKind.SERVICE.value),
    ) -> Sequence[User]:
        statement = self.base().join(Membership, Membership.user_id == User.id)
        statement = statement.where(User.kind.in_(kinds))
        if roles:
            statement = statement.where(Membership.role.in_(roles))
        if statuses:
            statement = statement.where(User.status.in_(statuses))
        if search:
            pattern = "%" + search.lower().replace("\\", "\\\\").replace("%", "\\%") + "%"
            pattern = pattern.replace("_", "\\_")
            statement = statement.where(
                or_(
                    func.lower(User.name).like(pattern, escape="\\"),
                    func.lower(User.email).like(pattern, escape="\\"),
                )
            )
        statement = _after(statement, (User.created_at, User.id), after, desc=False)
        return await self.find_all(statement.order_by(User.created_at, User.id).limit(limit))


class MembershipRepository(Repository[Membership]):
    model = Membership

    async def count_with_role(self, role: str) -> int:
        statement = select(func.count()).select_from(Membership).where(Membership.role == role)
        return int((await self.session.execute(statement)).scalar_one())


class RoleRepository(Repository[Role]):
    model = Role

    async def find_by_name(self, name: str) -> Role | None:
        return await self.find_one(self.base().where(Role.name == name))

    async def list_all(self) -> Sequence[Role]:
        return await self.find_all(self.base().order_by(Role.name))

    async def remove(self, role: Role) -> None:
        await self.session.delete(role)


class InvitationRepository(Repository[Invitation]):
    model = Invitation

    async def find_by_token_hash(self, digest: str) -> Invitation | None:
        return await self.find_one(self.base().where(Invitation.token_hash == digest))

    async def find_by_id(self, invitation_id: uuid.UUID) -> Invitation | None:
        return await self.find_one(self.base().where(Invitation.id == invitation_id))


class SessionRepository(Repository[Session]):
    model = Session

    async def find_by_id(self, session_id: uuid.UUID) -> Session | None:
        return await self.find_one(self.base().where(Session.id == session_id))

    async def find_live(self, session_id: uuid.UUID, user_id: uuid.UUID, now: datetime) -> Any:
        """(session id, user status) of a live session, or None: one indexed query."""
        statement = (
            select(Session.id, User.status)
            .join(User, User.id == Session.user_id)
            .where(
                Session.id == session_id,
                Session.user_id == user_id,
                Session.revoked_at.is_(None),
                Session.expires_at > now,
            )
        )
        return (await self.session.execute(statement)).first()

    async def revoke_for_user(self, user_id: uuid.UUID, now: datetime, reason: str) -> int:
        statement = (
            update(Session)
            .where(Session.user_id == user_id, Session.revoked_at.is_(None))
            .values(revoked_at=now, revoke_reason=reason)
        )
        result: Any = await self.session.execute(statement)
        return int(result.rowcount or 0)

    async def list_live_ids(self, user_id: uuid.UUID) -> Sequence[uuid.UUID]:
        statement = select(Session.id).where(
            Session.user_id == user_id, Session.revoked_at.is_(None)
        )
        return list((await self.session.execute(statement)).scalars().all())


class RefreshTokenRepository(Repository[RefreshToken]):
    model = RefreshToken

    async def find_by_hash(self, digest: str) -> RefreshToken | None:
        return await self.find_one(self.base().where(RefreshToken.token_hash == digest))

    async def claim(self, token_id: uuid.UUID, now: datetime) -> bool:
        """Atomically supersede a token: of two concurrent refreshes, one wins."""
        statement = (
            update(RefreshToken)
            .where(RefreshToken.id == token_id, RefreshToken.superseded_at.is_(None))
            .values(superseded_at=now)
        )
        result: Any = await self.session.execute(statement)
        return bool(result.rowcount)

    async def superseded_at(self, token_id: uuid.UUID) -> datetime | None:
        """Read from the database, not the session's identity map (a concurrent rotation)."""
        statement = select(RefreshToken.superseded_at).where(RefreshToken.id == token_id)
        value: datetime | None = (await self.session.execute(statement)).scalar_one_or_none()
        return value


class ApiKeyRepository(Repository[ApiKey]):
    model = ApiKey

    async def find_by_hash(self, digest: str) -> ApiKey | None:
        return await self.find_one(self.base().where(ApiKey.key_hash == digest))

    async def find_by_id(self, key_id: uuid.UUID) -> ApiKey | None:
        return await self.find_one(self.base().where(ApiKey.id == key_id))

    async def list_page(self, *, after: Keyset | None, limit: int) -> Sequence[ApiKey]:
        statement = _after(self.base(), (ApiKey.created_at, ApiKey.id), after, desc=False)
        return await self.find_all(statement.order_by(ApiKey.created_at, ApiKey.id).limit(limit))

    async def touch(self, key_id: uuid.UUID, now: datetime) -> None:
        await self.session.execute(
            update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=now)
        )


class OneTimeTokenRepository(Repository[OneTimeToken]):
    model = OneTimeToken

    async def find_by_hash(self, digest: str) -> OneTimeToken | None:
        return await self.find_one(self.base().where(OneTimeToken.token_hash == digest))

    async def invalidate(self, user_id: uuid.UUID, purpose: str, now: datetime) -> None:
        await self.session.execute(
            update(OneTimeToken)
            .where(
                OneTimeToken.user_id == user_id,
                OneTimeToken.purpose == purpose,
                OneTimeToken.used_at.is_(None),
            )
            .values(used_at=now)
        )


class RecoveryCodeRepository(Repository[RecoveryCode]):
    model = RecoveryCode

    async def list_unused(self, user_id: uuid.UUID) -> Sequence[RecoveryCode]:
        statement = self.base().where(
            RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None)
        )
        return await self.find_all(statement)

    async def invalidate_all(self, user_id: uuid.UUID, now: datetime) -> None:
        await self.session.execute(
            update(RecoveryCode)
            .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
            .values(used_at=now)
        )


class AuditRepository(Repository[AuditEvent]):
    model = AuditEvent

    async def list_page(
        self, *, after: Keyset | None, limit: int, actions: Sequence[str] = ()
    ) -> Sequence[AuditEvent]:
        statement = self.base()
        if actions:
            statement = statement.where(AuditEvent.action.in_(actions))
        statement = _after(statement, (AuditEvent.at, AuditEvent.id), after, desc=True)
        order = (AuditEvent.at.desc(), AuditEvent.id.desc())
        return await self.find_all(statement.order_by(*order).limit(limit))


class SettingRepository(Repository[Setting]):
    model = Setting

    async def get_value(self, key: str) -> str | None:
        found = await self.find_one(self.base().where(Setting.key == key))
        return found.value if found is not None else None

    async def set_value(self, key: str, value: str) -> None:
        found = await self.find_one(self.base().where(Setting.key == key))
        if found is None:
            self.add(Setting(key=key, value=value))
        else:
            found.value = value
        await self.flush()
