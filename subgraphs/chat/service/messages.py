"""Messages: replies, private notes, system messages, mentions, read receipts, typing."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import orjson

from subgraphs.chat.errors import CannedReplyNotFoundError, InvalidChatInputError
from subgraphs.chat.events import AgentMentioned, MessagePosted
from subgraphs.chat.models import AuthorKind, ChatConversation, ChatMessage, MessageKind
from subgraphs.chat.repository import (
    ConfigRepository,
    ConversationsRepository,
    MessagesRepository,
    RoutingRepository,
)
from subgraphs.chat.service import signals
from subgraphs.chat.service.common import Unit, visible_or_raise
from subgraphs.chat.service.routing import presence_of
from subgraphs.chat.views import Attachment, MessageView
from subgraphs.kit.events import record

MAX_BODY = 20_000
MAX_ATTACHMENTS = 10
PREVIEW = 140


@dataclass(frozen=True, slots=True)
class NewMessage:
    conversation_id: uuid.UUID
    body: str = ""
    private: bool = False
    canned_reply_id: uuid.UUID | None = None
    mentions: tuple[uuid.UUID, ...] = ()
    attachments: tuple[Attachment, ...] = ()  # legacy references
    file_ids: tuple[uuid.UUID, ...] = ()  # File entities (files subgraph)


async def append(
    unit: Unit,
    conversation: ChatConversation,
    *,
    kind: MessageKind,
    author_kind: AuthorKind,
    author_id: uuid.UUID | None,
    body: str,
    attachments: Sequence[Attachment] = (),
    mentions: Sequence[uuid.UUID] = (),
    file_ids: Sequence[uuid.UUID] = (),
) -> MessageView:
    """Store a message with the conversation's next number and announce it after commit."""
    seq = await ConversationsRepository(unit.session, unit.scope).next_seq(conversation.id)
    files = [
        {"name": a.name, "url": a.url, "content_type": a.content_type, "size": a.size}
        for a in attachments
    ]
    # File ids share the JSON column with legacy references: old rows stay readable as they are
    files += [{"file_id": str(f)} for f in dict.fromkeys(file_ids)]
    row = ChatMessage(
        id=uuid.uuid4(),
        conversation_id=conversation.id,
        seq=seq,
        kind=kind,
        author_kind=author_kind,
        author_id=author_id,
        body=body,
        attachments=orjson.dumps(files).decode(),
        mentions=orjson.dumps([str(m) for m in mentions]).decode(),
        created_at=unit.now,
    )
    unit.session.add(row)
    conversation.message_seq = seq
    conversation.updated_at = unit.now
    view = MessageView.of(row)
    signals.message_added(unit, view)
    return view


async def post_message(unit: Unit, new: NewMessage) -> MessageView:
    repo = ConversationsRepository(unit.session, unit.scope)
    conversation = visible_or_raise(unit.actor, await repo.find(new.conversation_id))
    body = new.body.strip()
    if new.canned_reply_id is not None:
        unit.actor.require_agent("use canned replies")
        canned = await ConfigRepository(unit.session, unit.scope).canned_reply(new.canned_reply_id)
        if canned is None:
            raise CannedReplyNotFoundError(field="cannedReplyId")
        body = canned.content
    if not body and not new.attachments and not new.file_ids:
        raise InvalidChatInputError(reason="a message needs a body or attachments", field="body")
    if len(body) > MAX_BODY or len(new.attachments) + len(new.file_ids) > MAX_ATTACHMENTS:
        raise InvalidChatInputError(reason="message too large", field="body")
    if unit.actor.is_contact:
        if new.private or new.mentions:
            raise InvalidChatInputError(reason="contacts cannot write notes", field="private")
        kind, author_kind, author = MessageKind.TEXT, AuthorKind.CONTACT, conversation.contact_id
    else:
        author = unit.actor.require_agent("reply")
        kind = MessageKind.NOTE if new.private else MessageKind.TEXT
        author_kind = AuthorKind.AGENT
    view = await append(
        unit,
        conversation,
        kind=kind,
        author_kind=author_kind,
        author_id=author,
        body=body,
        attachments=new.attachments,
        mentions=tuple(dict.fromkeys(new.mentions)),
        file_ids=new.file_ids,
    )
    if view.mentions:
        record(
            unit.session,
            AgentMentioned(
                tenant_id=unit.scope.tenant_id,
                actor=unit.actor.participant,
                conversation_id=conversation.id,
                message_id=view.id,
                mentioned=view.mentions,
            ),
        )
    await _record_posted(unit, conversation, view)
    signals.conversation_changed(unit, conversation)
    return view


async def _record_posted(unit: Unit, conversation: ChatConversation, view: MessageView) -> None:
    """`chat.message_posted` in the message's transaction, with the assignee's presence as
    routing sees it now (notifications tell an AWAY/OFFLINE assignee about the message)."""
    assignee, status = conversation.assignee_id, None
    if assignee is not None:
        agent = await RoutingRepository(unit.session, unit.scope).agent(assignee)
        status = presence_of(unit, agent).value
    record(
        unit.session,
        MessagePosted(
            tenant_id=unit.scope.tenant_id,
            actor=unit.actor.participant,
            conversation_id=conversation.id,
            message_id=view.id,
            seq=view.seq,
            author=unit.actor.participant,
            mentions=view.mentions,
            assignee_id=assignee,
            assignee_status=status,
            private=view.private,
            preview=view.body[:PREVIEW],
        ),
    )


async def mark_read(unit: Unit, conversation_id: uuid.UUID, seq: int | None) -> int:
    """Move the caller's read receipt forward (to the last message by default)."""
    repo = ConversationsRepository(unit.session, unit.scope)
    conversation = visible_or_raise(unit.actor, await repo.find(conversation_id))
    upto = conversation.message_seq if seq is None else min(seq, conversation.message_seq)
    receipt = await MessagesRepository(unit.session, unit.scope).mark_read(
        conversation.id, unit.actor.participant, upto, unit.now
    )
    return receipt.last_read_seq
