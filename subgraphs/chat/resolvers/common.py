"""Resolver plumbing: the caller, ids, units of work, publishing after commit."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.chat import realtime
from subgraphs.chat.errors import InvalidChatInputError
from subgraphs.chat.loaders import (
    ContactsById,
    ConversationsById,
    InboxesById,
    MessagesByConversation,
    QueuePositions,
    ReceiptsByConversation,
)
from subgraphs.chat.service.access import resolve_actor
from subgraphs.chat.service.common import ChatActor, Unit
from subgraphs.chat.types.objects import Ctx
from subgraphs.kit.auth.errors import UnauthenticatedError
from subgraphs.kit.loaders import Loader, LoaderRegistry
from subgraphs.kit.payloads import UserError, guard
from subgraphs.kit.scope import TenantScope
from subgraphs.kit.sessions import RequestSessions

T = TypeVar("T")
Work = Callable[[Unit], Awaitable[T]]


def parse_id(raw: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw)) if raw is not None else None
    except ValueError:
        return None


def require_id(raw: Any, field: str) -> uuid.UUID:
    value = parse_id(raw)
    if value is None:
        raise InvalidChatInputError(reason=f"{field} is not an id", field=field)
    return value


def request_scope(info: Ctx, contact_token: str | None, public: bool = False) -> TenantScope:
    """A credential's tenant; an anonymous contact (token) or a public operation may use
    the tenant the request targets. Auth failures are GraphQL errors, not userErrors."""
    if info.context.principal is not None:
        return info.context.require_scope()
    if contact_token or public:
        target = info.context.require_target()
        _bind_target(info, target)
        return target
    info.context.require_principal()
    raise UnauthenticatedError()


def _bind_target(info: Ctx, target: TenantScope) -> None:
    """No credential, so the kit opened no tenant sessions: open them on the target tenant
    (the request's loaders follow). The kit still commits them at the request boundary."""
    opener = info.context.deps.open_tenant
    if opener is None or info.context.scope is not None:
        return
    tenant_id = target.tenant_id
    sessions = RequestSessions(lambda: opener(tenant_id))
    info.context.sessions = sessions
    info.context.loaders = LoaderRegistry(sessions)


async def chat_actor(
    info: Ctx, session: AsyncSession, scope: TenantScope, contact_token: str | None
) -> ChatActor | None:
    actor = await resolve_actor(session, scope, info.context.principal, contact_token)
    info.context.chat_actor = actor  # type: ignore[attr-defined]
    return actor


def _unit(info: Ctx, session: AsyncSession, scope: TenantScope, actor: ChatActor) -> Unit:
    return Unit(session, scope, actor, presence_ttl=info.context.deps.presence_ttl)


async def mutate(
    info: Ctx, work: Work[T], *, contact_token: str | None = None, public: bool = False
) -> T | list[UserError]:
    """A mutation in the request's write session: domain errors become userErrors and roll
    back; signals are published once the kit committed."""
    scope = request_scope(info, contact_token, public)

    async def run() -> T:
        session = await info.context.sessions.write()  # BEGIN IMMEDIATE on SQLite (kit)
        actor = await chat_actor(info, session, scope, contact_token)
        if actor is None:
            actor = ChatActor(None, None, is_agent=False, reads_all=False, configures=False)
        unit = _unit(info, session, scope, actor)
        result = await work(unit)
        await session.flush()
        pending = unit.signals.drain()
        pubsub = info.context.deps.pubsub
        if pending:
            info.context.sessions.after_commit(lambda: realtime.publish_all(pubsub, pending))
        return result

    return await guard(info.context, run())


async def read(info: Ctx, work: Work[T], *, contact_token: str | None = None) -> T:
    scope = request_scope(info, contact_token)
    async with info.context.sessions.read() as session:
        actor = await chat_actor(info, session, scope, contact_token)
        if actor is None:
            raise UnauthenticatedError()
        return await work(_unit(info, session, scope, actor))


async def prime(info: Ctx, session: AsyncSession, conversation_ids: list[uuid.UUID]) -> None:
    """Load what payloads select through the write session: they show the uncommitted change
    and need no second connection while the write transaction holds one."""
    await session.flush()
    loaders = info.context.loaders
    conversations = await loaders.get(ConversationsById).batch(session, conversation_ids)
    for key, row in conversations.items():
        loaders.get(ConversationsById).prime(key, row)
    keyed: list[tuple[type[Loader[Any, Any]], list[Any]]] = [
        (MessagesByConversation, [(c, p) for c in conversation_ids for p in (True, False)]),
        (ReceiptsByConversation, conversation_ids),
        (QueuePositions, conversation_ids),
        (ContactsById, [r.contact_id for r in conversations.values()]),
        (InboxesById, [r.inbox_id for r in conversations.values()]),
    ]
    for kind, keys in keyed:
        loader = loaders.get(kind)
        found = await loader.batch(session, keys)
        for key in keys:
            if key in found:
                loader.prime(key, found[key])
