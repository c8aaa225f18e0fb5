"""Dependencies between tasks (any project of the tenant) and links to helpdesk tickets."""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.auth.principal import Principal
from subgraphs.projects.errors import DependencyCycleError, InvalidInputError, TaskNotFoundError
from subgraphs.projects.models import LinkType, Task, TaskLink, TicketLink
from subgraphs.projects.repository.links import LinkRepository, TicketLinkRepository
from subgraphs.projects.service.common import get_task, now, record_changes


class Relation(StrEnum):
    """A link as read from one of its ends."""

    BLOCKS = "BLOCKS"
    BLOCKED_BY = "BLOCKED_BY"
    RELATES = "RELATES"
    DUPLICATES = "DUPLICATES"
    DUPLICATED_BY = "DUPLICATED_BY"


_STORED: dict[Relation, tuple[LinkType, bool]] = {
    # relation -> (stored type, whether the stored source is the other task)
    Relation.BLOCKS: (LinkType.BLOCKS, False),
    Relation.BLOCKED_BY: (LinkType.BLOCKS, True),
    Relation.RELATES: (LinkType.RELATES, False),
    Relation.DUPLICATES: (LinkType.DUPLICATES, False),
    Relation.DUPLICATED_BY: (LinkType.DUPLICATES, True),
}
_INVERSE = {
    LinkType.BLOCKS: Relation.BLOCKED_BY,
    LinkType.DUPLICATES: Relation.DUPLICATED_BY,
    LinkType.RELATES: Relation.RELATES,
}


def relation_from(link: TaskLink, task_id: uuid.UUID) -> tuple[Relation, uuid.UUID]:
    """How `task_id` relates to the other end of `link`, and that other task's id."""
    kind = LinkType(link.type)
    if link.source_id == task_id:
        return Relation(kind.value), link.target_id
    return _INVERSE[kind], link.source_id


async def link_tasks(
    actor: Principal,
    session: AsyncSession,
    task_id: uuid.UUID,
    relation: Relation,
    other_id: uuid.UUID,
) -> TaskLink:
    task = await get_task(session, task_id)
    other = await get_task(session, other_id, field="otherTaskId")
    if task.id == other.id:
        raise InvalidInputError(
            field="otherTaskId", what="link", reason="a task cannot link to itself"
        )
    kind, reversed_ = _STORED[relation]
    source, target = (other, task) if reversed_ else (task, other)
    if kind is LinkType.RELATES and source.id > target.id:
        source, target = target, source  # one row per pair, whichever end created it
    repository = LinkRepository(session)
    await repository.lock()
    existing = await repository.find_same(source.id, target.id, kind.value)
    if existing is not None:
        return existing
    if kind is LinkType.BLOCKS and await repository.blocks_path(target.id, source.id):
        raise DependencyCycleError(field="otherTaskId")
    link = repository.add(
        TaskLink(
            id=uuid.uuid4(),
            source_id=source.id,
            target_id=target.id,
            type=kind.value,
            created_by=actor.user_id,
            created_at=now(),
        )
    )
    record_changes(session, task, actor, [(f"link:{relation.value}", None, str(other.id))])
    return link


async def unlink_tasks(actor: Principal, session: AsyncSession, link_id: uuid.UUID) -> Task:
    repository = LinkRepository(session)
    link = await repository.find(link_id)
    if link is None:
        raise TaskNotFoundError(field="linkId")
    task = await get_task(session, link.source_id)
    record_changes(session, task, actor, [(f"link:{link.type}", str(link.target_id), None)])
    await repository.delete(link.id)
    return task


def _ticket_id(raw: str) -> str:
    cleaned = raw.strip()
    if not 1 <= len(cleaned) <= 64:
        raise InvalidInputError(field="ticketId", what="ticket id", reason="use 1 to 64 characters")
    return cleaned


async def link_ticket(
    actor: Principal, session: AsyncSession, task_id: uuid.UUID, ticket_id: str
) -> Task:
    """Store the link here; the tickets subgraph owns the ticket (we only keep its id)."""
    task = await get_task(session, task_id)
    ticket = _ticket_id(ticket_id)
    repository = TicketLinkRepository(session)
    if await repository.find(task.id, ticket) is None:
        repository.add(
            TicketLink(
                task_id=task.id, ticket_id=ticket, created_by=actor.user_id, created_at=now()
            )
        )
        record_changes(session, task, actor, [("ticket", None, ticket)])
    return task


async def unlink_ticket(
    actor: Principal, session: AsyncSession, task_id: uuid.UUID, ticket_id: str
) -> Task:
    task = await get_task(session, task_id)
    ticket = _ticket_id(ticket_id)
    repository = TicketLinkRepository(session)
    if await repository.find(task.id, ticket) is not None:
        await repository.delete(task.id, ticket)
        record_changes(session, task, actor, [("ticket", ticket, None)])
    return task
