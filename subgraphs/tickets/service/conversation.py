"""The conversation of a ticket: public replies, internal notes, attachments, @mentions."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.auth.errors import ForbiddenError
from subgraphs.kit.context import TenantScope
from subgraphs.kit.events import record
from subgraphs.tickets.errors import InvalidInputError, TicketClosedError
from subgraphs.tickets.events import CommentAdded
from subgraphs.tickets.models import Comment, Priority, Status, StatusCategory, Ticket, utcnow
from subgraphs.tickets.repository import ConfigRepository, ConversationRepository
from subgraphs.tickets.service import sla
from subgraphs.tickets.service.access import require_ticket
from subgraphs.tickets.service.common import WRITE, Actor
from subgraphs.tickets.service.history import record_change
from subgraphs.tickets.service.tickets import touch

MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9][A-Za-z0-9._-]{0,63})")
MAX_BODY = 100_000
MAX_ATTACHMENTS = 20  # references (links)
MAX_FILES = 10  # files of the files subgraph, by id


@dataclass(frozen=True)
class Attachment:
    """A reference to a stored file (the file storage kit will own the bytes)."""

    name: str
    url: str
    content_type: str = "application/octet-stream"
    size: int = 0


def mentions(body: str) -> list[str]:
    found: list[str] = []
    for match in MENTION.finditer(body):
        handle = match.group(1).rstrip(".")
        if handle not in found:
            found.append(handle)
    return found


async def _reopen_to(
    session: AsyncSession, ticket: Ticket, actor: Actor, key: str, now: datetime
) -> tuple[Status, Status] | None:
    config = ConfigRepository(session)
    source = await config.get(Status, ticket.status_id)
    target = await config.status_by_key(key)
    if source is None or target is None or source.id == target.id:
        return None
    record_change(session, ticket.id, actor.user_id, now, "status", source.key, target.key)
    ticket.status_id, ticket.category = target.id, target.category
    ticket.status_changed_at = now
    return source, target


async def add_comment(
    session: AsyncSession,
    scope: TenantScope,
    actor: Actor,
    ticket_id: uuid.UUID,
    body: str,
    *,
    public: bool,
    attachments: list[Attachment],
    file_ids: Sequence[uuid.UUID] = (),
    now: datetime | None = None,
) -> Comment:
    """`attachments` are references (served as `links`); `file_ids` name files of the files
    subgraph (served as `attachments: [File!]!`), at most 10, kept in the given order."""
    now = now or utcnow()
    if not public and not actor.is_agent:
        raise ForbiddenError(permission=WRITE, field="public")
    if actor.reads_all and not actor.is_agent:
        raise ForbiddenError(permission=WRITE)  # viewers read, they do not write
    text = body.strip()
    if not text or len(text) > MAX_BODY:
        raise InvalidInputError(reason=f"body must be 1-{MAX_BODY} characters", field="body")
    if len(attachments) > MAX_ATTACHMENTS:
        raise InvalidInputError(
            reason=f"at most {MAX_ATTACHMENTS} attachments", field="attachments"
        )
    files = list(dict.fromkeys(file_ids))
    if len(files) > MAX_FILES:
        raise InvalidInputError(reason=f"at most {MAX_FILES} files", field="attachmentIds")
    ticket = await require_ticket(session, scope, actor, ticket_id, lock=True)
    if ticket.category == StatusCategory.CLOSED.value or ticket.merged_into_id is not None:
        raise TicketClosedError(number=ticket.number, field="ticketId")
    found = mentions(text) if actor.is_agent else []
    comment = ConversationRepository(session).add_comment(
        Comment(
            id=uuid.uuid4(),
            ticket_id=ticket.id,
            author_id=actor.user_id,
            body=text,
            public=public,
            created_at=now,
            attachments=orjson.dumps([a.__dict__ for a in attachments]).decode(),
            file_ids=orjson.dumps([str(f) for f in files]).decode(),
            mentions=orjson.dumps(found).decode(),
        )
    )
    if public:
        await _public_reply(session, ticket, actor, text, now)
    from subgraphs.tickets.service.automations import CommentFacts, run

    by_requester = not actor.is_agent or actor.user_id == ticket.requester_id
    facts = CommentFacts(body=text, public=public, by_requester=by_requester)
    made = await run(session, scope, actor, ticket, "COMMENTED", ["comment"], now, facts)
    # CommentAdded is the event (flagged internal for notes): TicketUpdated only for what
    # automations changed, so requesters learn nothing from an internal note itself
    await touch(session, scope, actor, ticket, made, now)
    record(
        session,
        CommentAdded(
            tenant_id=scope.tenant_id,
            actor=str(actor.user_id),
            ticket_id=ticket.id,
            comment_id=comment.id,
            public=public,
            mentions=tuple(found),
        ),
    )
    return comment


async def add_internal_note(
    session: AsyncSession,
    scope: TenantScope,
    actor: Actor,
    ticket: Ticket,
    body: str,
    now: datetime,
) -> Comment:
    """An internal note on a ticket the caller already holds (automations)."""
    comment = ConversationRepository(session).add_comment(
        Comment(
            id=uuid.uuid4(),
            ticket_id=ticket.id,
            author_id=actor.user_id,
            body=body.strip()[:MAX_BODY],
            public=False,
            created_at=now,
        )
    )
    record(
        session,
        CommentAdded(
            tenant_id=scope.tenant_id,
            actor=str(actor.user_id),
            ticket_id=ticket.id,
            comment_id=comment.id,
            public=False,
            mentions=(),
        ),
    )
    return comment


async def _public_reply(
    session: AsyncSession, ticket: Ticket, actor: Actor, text: str, now: datetime
) -> None:
    """Search text, status moves (an agent's reply opens a new ticket; a requester's reopens
    a pending or solved one) and the SLA clocks."""
    ticket.search_text = f"{ticket.search_text}\n{text}"[-200_000:]
    by_agent = actor.is_agent and actor.user_id != ticket.requester_id
    moved: tuple[Status, Status] | None = None
    reopens = {"PENDING", "SOLVED"}
    if (by_agent and ticket.category == StatusCategory.NEW.value) or (
        not by_agent and ticket.category in reopens
    ):
        moved = await _reopen_to(session, ticket, actor, "open", now)
    priority = await ConfigRepository(session).get(Priority, ticket.priority_id)
    key = priority.key if priority else "normal"
    context = await sla.context_for(session, ticket, key, orjson.loads(ticket.tags))
    if moved is not None:
        source, target = moved
        await sla.status_changed(
            session,
            ticket,
            context,
            now,
            old=(source.category, source.pauses_sla),
            new=(target.category, target.pauses_sla),
        )
    status = await ConfigRepository(session).get(Status, ticket.status_id)
    paused = bool(status and status.pauses_sla)
    await sla.replied(session, ticket, context, now, by_agent=by_agent, paused=paused)
    if by_agent and ticket.first_responded_at is None:
        ticket.first_responded_at = now
