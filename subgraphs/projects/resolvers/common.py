"""Resolver plumbing: the unit of work of a mutation and payload mapping."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.auth.principal import Principal
from subgraphs.kit.errors import DomainError
from subgraphs.kit.payloads import UserError, guard
from subgraphs.projects.access import bind_viewer
from subgraphs.projects.types.common import WRITE, Ctx

T = TypeVar("T")
P = TypeVar("P")
Work = Callable[[Principal, AsyncSession], Awaitable[T]]


async def write(info: Ctx, work: Work[T], permission: str = WRITE) -> T | list[UserError]:
    """Run a mutation's use case in the request's write session.

    UNAUTHENTICATED/FORBIDDEN are GraphQL errors; domain failures become `userErrors` and
    roll back. On success the session is committed here, before the payload resolves, so
    the payload's nested fields (read through loaders in their own sessions) show the
    committed state rather than the one before the mutation."""
    context = info.context
    principal = context.require_permission(permission)

    async def run() -> T:
        session = await context.sessions.write()
        bind_viewer(session, principal)  # lookups hide private projects (access.py)
        return await work(principal, session)

    result = await guard(context, run())
    if not _failed(result):
        await context.sessions.close(commit=True)
    return result


def _failed(result: object) -> bool:
    return isinstance(result, list) and bool(result) and isinstance(result[0], UserError)


def payload(kind: Callable[..., P], field: str, result: Any, mapper: Callable[[Any], Any]) -> P:
    if _failed(result):
        return kind(user_errors=result)
    return kind(**{field: mapper(result)})


def uid(raw: object, error: type[DomainError], field: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(raw))
    except ValueError as exc:
        raise error(field=field) from exc


def uids(raws: list[Any] | None, error: type[DomainError], field: str) -> tuple[uuid.UUID, ...]:
    return tuple(uid(r, error, field) for r in raws or [])
