"""Queries of the identity subgraph."""

from __future__ import annotations

import strawberry

from subgraphs.identity.errors import UserNotFoundError
from subgraphs.identity.loaders import UsersById
from subgraphs.identity.repository import ApiKeyRepository, AuditRepository, UserRepository
from subgraphs.identity.resolvers.common import keyset, keyset_key, parse_id
from subgraphs.identity.service.mfa import mfa_required
from subgraphs.identity.service.roles import list_roles
from subgraphs.identity.types import (
    ApiKey,
    AuditEvent,
    Ctx,
    Role,
    SecurityPolicy,
    User,
    UserStatus,
)
from subgraphs.kit.relay import Connection, connection_from_rows, page_size


@strawberry.type
class Query:
    @strawberry.field
    async def me(self, info: Ctx) -> User | None:
        principal = info.context.require_principal()
        found = await info.context.loaders.get(UsersById).load(principal.user_id)
        return User.of(found) if found is not None else None

    @strawberry.field
    async def user(self, info: Ctx, id: strawberry.ID) -> User | None:
        info.context.require_permission("users:read")
        try:
            key = parse_id(id, UserNotFoundError)
        except UserNotFoundError:
            return None
        found = await info.context.loaders.get(UsersById).load(key)
        return User.of(found) if found is not None else None

    @strawberry.field
    async def users(
        self,
        info: Ctx,
        first: int | None = None,
        after: str | None = None,
        role: list[str] | None = None,
        status: list[UserStatus] | None = None,
        search: str | None = None,
    ) -> Connection[User]:
        info.context.require_permission("users:read")
        size, cursor = page_size(first), keyset(after)
        async with info.context.sessions.read() as session:
            rows = await UserRepository(session).list_page(
                after=cursor,
                limit=size + 1,
                roles=role or [],
                statuses=[s.value for s in status or []],
                search=(search or "").strip()[:100] or None,
            )
            nodes = [User.of(u) for u in rows]
        return connection_from_rows(
            nodes,
            size=size,
            key=lambda u: keyset_key(u.created_at, u.id),
            had_cursor=after is not None,
        )

    @strawberry.field
    async def roles(self, info: Ctx) -> list[Role]:
        info.context.require_permission("users:read")
        async with info.context.sessions.read() as session:
            return [Role.of(r) for r in await list_roles(session)]

    @strawberry.field
    async def api_keys(
        self, info: Ctx, first: int | None = None, after: str | None = None
    ) -> Connection[ApiKey]:
        info.context.require_permission("api_keys:manage")
        size, cursor = page_size(first), keyset(after)
        async with info.context.sessions.read() as session:
            rows = await ApiKeyRepository(session).list_page(after=cursor, limit=size + 1)
        return connection_from_rows(
            [ApiKey.of(k) for k in rows],
            size=size,
            key=lambda k: keyset_key(k.created_at, k.id),
            had_cursor=after is not None,
        )

    @strawberry.field
    async def audit_log(
        self,
        info: Ctx,
        first: int | None = None,
        after: str | None = None,
        action: list[str] | None = None,
    ) -> Connection[AuditEvent]:
        info.context.require_permission("audit:read")
        size, cursor = page_size(first), keyset(after)
        async with info.context.sessions.read() as session:
            rows = await AuditRepository(session).list_page(
                after=cursor, limit=size + 1, actions=action or []
            )
        return connection_from_rows(
            [AuditEvent.of(e) for e in rows],
            size=size,
            key=lambda e: keyset_key(e.at, e.id),
            had_cursor=after is not None,
        )

    @strawberry.field
    async def security_policy(self, info: Ctx) -> SecurityPolicy:
        info.context.require_principal()
        async with info.context.sessions.read() as session:
            return SecurityPolicy(mfa_required=await mfa_required(session))
