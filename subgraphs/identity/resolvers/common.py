"""Resolver plumbing: the caller's IP, units of work for public and authenticated mutations."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.identity.events import record_user_events
from subgraphs.identity.service.common import Actor
from subgraphs.identity.service.sessions import publish_revocations
from subgraphs.identity.types import Ctx
from subgraphs.kit.auth.principal import Principal
from subgraphs.kit.clientip import client_ip as kit_client_ip
from subgraphs.kit.context import TenantScope
from subgraphs.kit.db import begin_write
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
    that must keep their writes (audit of a failed login, revoked token family). Sessions
    revoked in it are announced to other processes after the commit."""
    scope, deps = info.context.require_target(), info.context.deps
    async with deps.open_tenant(scope.tenant_id) as session:
        await begin_write(session)  # SQLite: BEGIN IMMEDIATE, concurrent callers queue
        try:
            result = await work(scope, session)
        except DomainError as error:
            if getattr(error, "keep_writes", False):
                await record_user_events(session, scope.tenant_id, None)
                await session.commit()
                await publish_revocations(session, deps, scope.tenant_id)
            else:
                await session.rollback()
            return [UserError.of(error)]
        await record_user_events(session, scope.tenant_id, None)
        await session.commit()
        await publish_revocations(session, deps, scope.tenant_id)
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
        session = await context.sessions.write()
        result = await work(session, principal)
        await record_user_events(session, principal.tenant_id, principal.user_id)
        context.sessions.after_commit(
            lambda: publish_revocations(session, context.deps, principal.tenant_id)
        )
        return result

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
