"""Conversations: start, status (open, pending, snoozed, resolved), priority, assignment."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from subgraphs.chat.errors import (
    InboxNotFoundError,
    InvalidChatInputError,
    InvalidTransitionError,
)
from subgraphs.chat.models import (
    AuthorKind,
    ChatContact,
    ChatConversation,
    ConversationPriority,
    ConversationStatus,
    MessageKind,
)
from subgraphs.chat.repository import (
    ConfigRepository,
    ConversationsRepository,
    RoutingRepository,
)
from subgraphs.chat.service import routing, signals, skills
from subgraphs.chat.service.common import ChatActor, Unit, visible_or_raise
from subgraphs.chat.service.hours import is_open
from subgraphs.chat.service.messages import append
from subgraphs.chat.views import ConversationView


@dataclass(frozen=True, slots=True)
class NewConversation:
    inbox_id: uuid.UUID
    body: str
    subject: str = ""
    priority: ConversationPriority = ConversationPriority.NONE
    contact_name: str = ""
    contact_email: str | None = None
    skills: tuple[str, ...] = ()  # chosen before the chat (e.g. a pre-chat form)


@dataclass(frozen=True, slots=True)
class Started:
    conversation: ConversationView
    contact_token: str | None  # shown once to an anonymous contact


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def contact_for(unit: Unit, new: NewConversation) -> tuple[ChatContact, str | None]:
    """The identified caller's contact, a new anonymous contact (with a token), or, for an
    agent opening a conversation on a customer's behalf (API channel), a new contact
    without a token: agents read every conversation, so a token would only leak a
    contact's credential to staff. Viewers (read only) may not start conversations."""
    repo = ConversationsRepository(unit.session, unit.scope)
    actor = unit.actor
    if not actor.is_contact:
        actor.require_agent("start conversations for a contact")
        contact = ChatContact(
            id=uuid.uuid4(), name=new.contact_name, email=new.contact_email, created_at=unit.now
        )
        return repo.add_contact(contact), None
    if actor.contact_id is not None:
        found = await repo.contact(actor.contact_id)
        if found is not None:
            return found, None
    if actor.user_id is not None and actor.is_contact:
        contact = await repo.ensure_user_contact(
            actor.user_id, new.contact_name, new.contact_email, unit.now
        )
        return contact, None
    token = "cct_" + secrets.token_urlsafe(24)
    contact = repo.add_contact(
        ChatContact(
            id=uuid.uuid4(),
            name=new.contact_name,
            email=new.contact_email,
            token_hash=hash_token(token),
            created_at=unit.now,
        )
    )
    return contact, token


async def start_conversation(unit: Unit, new: NewConversation) -> Started:
    body = new.body.strip()
    if not body or len(body) > 20_000 or len(new.subject) > 300:
        raise InvalidChatInputError(reason="a first message is required", field="body")
    chosen = skills.normalize(new.skills, "skills")
    inbox = await ConfigRepository(unit.session, unit.scope).inbox(new.inbox_id)
    if inbox is None:
        raise InboxNotFoundError(field="inboxId")
    needs = skills.normalize((*skills.load(inbox.required_skills), *chosen), "skills")
    contact, token = await contact_for(unit, new)
    row = ChatConversation(
        id=uuid.uuid4(),
        inbox_id=inbox.id,
        contact_id=contact.id,
        status=ConversationStatus.OPEN,
        priority=new.priority,
        subject=new.subject.strip(),
        message_seq=0,
        required_skills=skills.dump(needs),
        created_at=unit.now,
        updated_at=unit.now,
    )
    unit.session.add(row)
    await unit.session.flush()
    await append(
        unit,
        row,
        kind=MessageKind.TEXT,
        author_kind=AuthorKind.CONTACT,
        author_id=contact.id,
        body=body,
    )
    if inbox.away_message and not is_open(inbox.office_hours, inbox.timezone, unit.now):
        await append(
            unit,
            row,
            kind=MessageKind.SYSTEM,
            author_kind=AuthorKind.SYSTEM,
            author_id=None,
            body=inbox.away_message,
        )
    await routing.enqueue(unit, row)
    view = signals.conversation_changed(unit, row)
    return Started(view, token)


async def contact_actor(unit: Unit, token: str) -> ChatActor | None:
    found = await ConversationsRepository(unit.session, unit.scope).contact_by_token(
        hash_token(token)
    )
    return ChatActor.anonymous(found.id) if found is not None else None


@dataclass(frozen=True, slots=True)
class ConversationChange:
    conversation_id: uuid.UUID
    status: ConversationStatus | None = None
    priority: ConversationPriority | None = None
    snoozed_until: datetime | None = None
    subject: str | None = None
    required_skills: tuple[str, ...] | None = None


async def update_conversation(unit: Unit, change: ConversationChange) -> ConversationView:
    unit.actor.require_agent("update conversations")
    await RoutingRepository(unit.session, unit.scope).lock()
    repo = ConversationsRepository(unit.session, unit.scope)
    row = visible_or_raise(unit.actor, await repo.find_for_update(change.conversation_id))
    if row.merged_into_id is not None:
        raise InvalidTransitionError(reason="the conversation was merged", field="id")
    if change.priority is not None:
        row.priority = change.priority
    if change.subject is not None:
        row.subject = change.subject.strip()[:300]
    frees = False
    if change.required_skills is not None:
        needs = skills.dump(skills.normalize(change.required_skills, "requiredSkills"))
        frees = needs != row.required_skills and row.queued_at is not None  # may fit now
        row.required_skills = needs
    if change.status is not None and change.status != row.status:
        frees = await _transition(unit, row, change) or frees
    row.updated_at = unit.now
    await unit.session.flush()
    if frees:
        await routing.dispatch(unit, locked=True)
    return signals.conversation_changed(unit, row)


async def _transition(unit: Unit, row: ChatConversation, change: ConversationChange) -> bool:
    """Apply a status change; True when it freed an agent's capacity."""
    target = change.status
    if target == ConversationStatus.SNOOZED:
        if change.snoozed_until is None or change.snoozed_until <= unit.now:
            raise InvalidTransitionError(
                reason="snoozing needs a future time", field="snoozedUntil"
            )
        row.snoozed_until = change.snoozed_until
    else:
        row.snoozed_until = None
    was_resolved = row.status == ConversationStatus.RESOLVED
    row.status = str(target)
    if target == ConversationStatus.RESOLVED:
        row.queued_at = None
        return row.assignee_id is not None
    if was_resolved and row.assignee_id is None:
        row.queued_at = unit.now  # reopened and unassigned: back in the queue
        return True
    return False


async def assign_conversation(
    unit: Unit, conversation_id: uuid.UUID, assignee_id: uuid.UUID | None
) -> ConversationView:
    """Manual assignment (bypasses capacity, as agents choose to); None puts it back in the
    queue."""
    unit.actor.require_agent("assign conversations")
    await RoutingRepository(unit.session, unit.scope).lock()
    repo = ConversationsRepository(unit.session, unit.scope)
    row = visible_or_raise(unit.actor, await repo.find_for_update(conversation_id))
    if row.status == ConversationStatus.RESOLVED:
        raise InvalidTransitionError(reason="the conversation is resolved", field="id")
    if assignee_id is None:
        routing.assign(unit, row, None)
        row.queued_at = row.created_at
        await unit.session.flush()
        await routing.dispatch(unit, locked=True)
    else:
        routing.assign(unit, row, assignee_id)
        await unit.session.flush()
        await routing.dispatch(unit, locked=True)  # the queue shrank: tell subscribers
    return signals.conversation_changed(unit, row)
