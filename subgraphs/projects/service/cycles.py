"""Cycles: create, complete with roll-over of unfinished tasks, and the scheduled job."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.auth.principal import Principal
from subgraphs.kit.events import record
from subgraphs.kit.ids import TenantId
from subgraphs.projects.access import may_see_project_id
from subgraphs.projects.errors import CycleNotFoundError, InvalidInputError
from subgraphs.projects.events import CycleCompleted
from subgraphs.projects.models import Cycle
from subgraphs.projects.repository.cycles import CycleRepository
from subgraphs.projects.service.common import check_dates, clean_text, get_open_project, now


@dataclass(frozen=True, slots=True)
class RolloverResult:
    cycle_id: uuid.UUID
    next_cycle_id: uuid.UUID | None
    moved: int


async def create_cycle(
    actor: Principal,
    session: AsyncSession,
    project_id: uuid.UUID,
    name: str,
    starts_on: date,
    ends_on: date,
) -> Cycle:
    await get_open_project(session, project_id)
    check_dates(starts_on, ends_on, field="endsOn")
    if starts_on == ends_on:
        raise InvalidInputError(field="endsOn", what="dates", reason="a cycle lasts at least a day")
    cycle = Cycle(
        id=uuid.uuid4(),
        project_id=project_id,
        name=clean_text(name, field="name", what="cycle name", maximum=100),
        starts_on=starts_on,
        ends_on=ends_on,
        rolled_over=0,
        created_at=now(),
    )
    session.add(cycle)
    return cycle


async def _complete(
    session: AsyncSession, tenant_id: TenantId, cycle: Cycle, actor: str | None
) -> RolloverResult:
    repository = CycleRepository(session)
    following = await repository.next_after(cycle)
    target = following.id if following is not None else None
    moved = await repository.move_unfinished(cycle.id, target)
    cycle.completed_at = now()
    cycle.rolled_over = moved
    record(
        session,
        CycleCompleted(
            tenant_id=tenant_id,
            actor=actor,
            cycle_id=cycle.id,
            next_cycle_id=target,
            rolled_over=moved,
        ),
    )
    return RolloverResult(cycle.id, target, moved)


async def complete_cycle(
    actor: Principal, session: AsyncSession, cycle_id: uuid.UUID
) -> RolloverResult:
    """End a cycle now: unfinished tasks move to the next cycle (or to no cycle)."""
    cycle = await CycleRepository(session).find(cycle_id)
    if cycle is None or not await may_see_project_id(session, cycle.project_id):
        raise CycleNotFoundError(field="id")
    if cycle.completed_at is not None:
        return RolloverResult(cycle.id, None, 0)
    return await _complete(session, actor.tenant_id, cycle, str(actor.user_id))


async def rollover_due_cycles(
    session: AsyncSession, tenant_id: TenantId, today: date
) -> list[RolloverResult]:
    """The scheduled job: complete every cycle whose end date has passed (idempotent; rows
    are locked with SKIP LOCKED so two workers never roll the same cycle)."""
    results = []
    for cycle in await CycleRepository(session).due(today):
        results.append(await _complete(session, tenant_id, cycle, None))
    return results
