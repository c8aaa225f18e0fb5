"""Who is calling: an agent or viewer (by permission), an identified or anonymous contact."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.chat.errors import ContactTokenError
from subgraphs.chat.repository import ConversationsRepository
from subgraphs.chat.service.common import ChatActor
from subgraphs.chat.service.conversations import hash_token
from subgraphs.kit.auth.principal import Principal
from subgraphs.kit.scope import TenantScope


async def resolve_actor(
    session: AsyncSession,
    scope: TenantScope,
    principal: Principal | None,
    contact_token: str | None,
) -> ChatActor | None:
    """None: nobody (the caller must authenticate). A contact token wins over a principal
    that is not an agent (a signed-in customer chatting anonymously in the widget)."""
    repo = ConversationsRepository(session, scope)
    if principal is not None:
        actor = ChatActor.of(principal)
        if not actor.is_contact:
            return actor
    if contact_token:
        found = await repo.contact_by_token(hash_token(contact_token))
        if found is None:
            raise ContactTokenError(field="contactToken")
        if principal is not None:
            return ChatActor.of(principal, found.id)
        return ChatActor.anonymous(found.id)
    if principal is None:
        return None
    contact = await repo.contact_by_user(principal.user_id)
    return ChatActor.of(principal, contact.id if contact else None)
