"""What every use case shares: the caller, the unit of work, access rules."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.chat.errors import ConversationNotFoundError, NotAnAgentError
from subgraphs.chat.models import ChatConversation
from subgraphs.chat.realtime import Signals
from subgraphs.kit.auth.principal import Principal
from subgraphs.kit.scope import TenantScope

READ = "chat:read"
WRITE = "chat:write"
CONFIGURE = "settings:manage"


@dataclass(frozen=True, slots=True)
class ChatActor:
    """The caller as chat sees it.

    Agents hold `chat:write` (viewers only `chat:read`: they read every conversation but do
    not post). Anyone else is a contact: an identified one (a signed-in user of the tenant,
    `user_id` set) or an anonymous one (a widget visitor with a contact token); contacts see
    their own conversations only, never private notes.
    """

    user_id: uuid.UUID | None
    contact_id: uuid.UUID | None
    is_agent: bool
    reads_all: bool
    configures: bool

    @classmethod
    def of(cls, principal: Principal, contact_id: uuid.UUID | None = None) -> ChatActor:
        return cls(
            user_id=principal.user_id,
            contact_id=contact_id,
            is_agent=principal.can(WRITE),
            reads_all=principal.can(READ) or principal.can(WRITE),
            configures=principal.can(CONFIGURE),
        )

    @classmethod
    def anonymous(cls, contact_id: uuid.UUID) -> ChatActor:
        return cls(None, contact_id, is_agent=False, reads_all=False, configures=False)

    @property
    def is_contact(self) -> bool:
        return not self.reads_all

    @property
    def participant(self) -> str:
        if self.is_contact and self.contact_id is not None:
            return f"contact:{self.contact_id}"
        return f"user:{self.user_id}"

    def require_agent(self, action: str) -> uuid.UUID:
        if not self.is_agent or self.user_id is None:
            raise NotAnAgentError(action=action)
        return self.user_id

    def require_configure(self, action: str) -> None:
        if not self.configures:
            raise NotAnAgentError(action=action)

    def sees(self, conversation: ChatConversation) -> bool:
        return self.reads_all or (
            self.contact_id is not None and conversation.contact_id == self.contact_id
        )


@dataclass
class Unit:
    """One use case's collaborators: the session (the request's write session for
    mutations), the tenant, the caller and the realtime signals to publish after commit."""

    session: AsyncSession
    scope: TenantScope
    actor: ChatActor
    signals: Signals = field(default_factory=Signals)
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    presence_ttl: float = 60.0


def visible_or_raise(actor: ChatActor, row: ChatConversation | None) -> ChatConversation:
    if row is None or not actor.sees(row):
        raise ConversationNotFoundError(field="conversationId")
    return row
