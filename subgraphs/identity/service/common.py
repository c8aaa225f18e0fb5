"""Shared pieces of the identity use cases: validation, permissions of a role, audit events."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import available_timezones

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.identity.errors import InvalidInputError, RoleNotFoundError, UserNotFoundError
from subgraphs.identity.models import AuditEvent, User
from subgraphs.identity.permissions import BUILTIN_ROLES
from subgraphs.identity.repository import AuditRepository, RoleRepository, UserRepository
from subgraphs.kit.auth.principal import Principal

EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s.]{2,63}$")
LOCALE_PATTERN = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_TIMEZONES: set[str] = set()


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts (None: anonymous, e.g. a failed login) and from where, for the audit log."""

    user_id: uuid.UUID | None
    ip: str | None

    @classmethod
    def of(cls, principal: Principal | None, ip: str | None) -> Actor:
        return cls(principal.user_id if principal else None, ip)


def normalize_email(email: str) -> str:
    cleaned = email.strip().lower()
    if len(cleaned) > 254 or not EMAIL_PATTERN.match(cleaned):
        raise InvalidInputError(field="email", what="email", reason="not an email address")
    return cleaned


def validate_name(name: str) -> str:
    cleaned = name.strip()
    if not 1 <= len(cleaned) <= 200:
        raise InvalidInputError(field="name", what="name", reason="use 1 to 200 characters")
    return cleaned


def validate_timezone(zone: str) -> str:
    if not _TIMEZONES:
        _TIMEZONES.update(available_timezones() | {"UTC"})
    if zone not in _TIMEZONES:
        raise InvalidInputError(field="timezone", what="time zone", reason="unknown IANA zone")
    return zone


def validate_locale(locale: str) -> str:
    if not LOCALE_PATTERN.match(locale):
        raise InvalidInputError(field="locale", what="locale", reason="use a BCP 47 tag")
    return locale


def validate_url(url: str | None) -> str | None:
    if url is None or url == "":
        return None
    if len(url) > 2000 or not url.startswith(("https://", "http://")):
        raise InvalidInputError(field="avatarUrl", what="avatar URL", reason="use an http(s) URL")
    return url


async def permissions_for(session: AsyncSession, role: str) -> frozenset[str]:
    builtin = BUILTIN_ROLES.get(role)
    if builtin is not None:
        return builtin
    custom = await RoleRepository(session).find_by_name(role)
    if custom is None:
        return frozenset()
    return frozenset(custom.permissions.split())


async def require_role(session: AsyncSession, role: str) -> str:
    if role in BUILTIN_ROLES or await RoleRepository(session).find_by_name(role) is not None:
        return role
    raise RoleNotFoundError(field="role", role=role)


async def get_user(session: AsyncSession, user_id: uuid.UUID) -> User:
    user = await UserRepository(session).find_by_id(user_id)
    if user is None:
        raise UserNotFoundError(field="id")
    return user


async def record(
    session: AsyncSession,
    action: str,
    actor: Actor,
    *,
    target: str | uuid.UUID | None = None,
    success: bool = True,
    **detail: Any,
) -> AuditEvent:
    event = AuditEvent(
        id=uuid.uuid4(),
        at=now(),
        action=action,
        success=success,
        actor_id=actor.user_id,
        target_id=str(target) if target is not None else None,
        ip=actor.ip,
        detail=json.dumps(detail, default=str, sort_keys=True),
    )
    AuditRepository(session).add(event)
    await session.flush()
    return event
