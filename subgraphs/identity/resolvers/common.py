"""Resolver plumbing: the caller's IP, units of work for public and authenticated mutations."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.identity.service.common import Actor
from subgraphs.identity.types import Ctx
from subgraphs.kit.auth.principal import Principal
from subgraphs.kit.clientip import client_ip as kit_client_ip
from subgraphs.kit.context import TenantScope
from subgraphs.kit.errors import DomainError, InvalidCursorError
from subgraphs.kit.payloads import UserError, guard
from subgraphs.kit.relay import decode_cursor

T = TypeVar("T")


def client_ip(info: Ctx) -> str | None:
    """The trusted router's `x-client-ip`, else the peer address (subgraphs.kit.clientip)."""
    return kit_client_ip(info.context.request)


def actor(info: Ctx) -> Actor:
    return Actor.of(info.context.principal, client_ip(info))


async def public(
    info: Ctx, work: Callable[[TenantScope, AsyncSession], Awaitable[T]]
) -> T | list[UserError]:
    """An operation on the tenant the request names, without a credential (login, sign-up).

    Its own transaction on the target tenant's database: committed on success, and on errors
    that must keep their writes (audit of a failed login, revoked token family)."""
    scope = info.context.require_target()
    async with info.context.deps.open_tenant(scope.tenant_id) as session:
        try:
            result = await work(scope, session)
        except DomainError as error:
            if getattr(error, "keep_writes", False):
                await session.commit()
            else:
                await session.rollback()
            return [UserError.of(error)]
        await session.commit()
        return result


async def authorized(
    info: Ctx,
    permission: str | None,
    work: Callable[[AsyncSession, Principal], Awaitable[T]],
) -> T | list[UserError]:
    """A mutation by an authenticated caller: UNAUTHENTICATED/FORBIDDEN are GraphQL errors,
    domain failures `userErrors`; the kit commits the request's write session."""
    context = info.context
    principal = (
        context.require_permission(permission) if permission else context.require_principal()
    )

    async def run() -> T:
        return await work(await context.sessions.write(), principal)

    return await guard(context, run())


def parse_id(raw: str, error: type[DomainError]) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise error(field="id") from exc


def keyset(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    raw = decode_cursor(cursor)
    if raw is None:
        return None
    try:
        at, _, key = raw.partition("|")
        return datetime.fromisoformat(at), uuid.UUID(key)
    except ValueError as exc:
        raise InvalidCursorError(field="after") from exc


def keyset_key(at: datetime, key: object) -> str:
    return f"{at.isoformat()}|{key}"
