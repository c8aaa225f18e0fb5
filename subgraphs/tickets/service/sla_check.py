"""The SLA check: warnings and breaches of due clocks, emitted once each through the outbox.

Idempotent and restart-safe: the state lives in the tenant database. Each emission is a
`tickets_sla_emissions` row (unique per ticket, metric, cycle and kind) written in the same
transaction as its outbox event, so a crash before commit emits nothing and a re-run after
commit emits nothing twice; two concurrent runs collide on the unique key and one rolls back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.events import record
from subgraphs.kit.ids import TenantId
from subgraphs.tickets.events import SlaBreached, SlaWarning
from subgraphs.tickets.models import SlaEmission, aware
from subgraphs.tickets.repository import SlaRepository

WARNING, BREACH = "WARNING", "BREACH"


@dataclass(frozen=True, slots=True)
class SlaCheckResult:
    warnings: int
    breaches: int


async def check_sla(
    session: AsyncSession, tenant_id: TenantId, now: datetime, limit: int = 1000
) -> SlaCheckResult:
    repo = SlaRepository(session)
    due = await repo.due(now, limit)
    if not due:
        return SlaCheckResult(0, 0)
    emitted = await repo.emitted(sorted({c.ticket_id for c in due}))
    warnings = breaches = 0
    for clock in due:
        assert clock.due_at is not None
        due_at = aware(clock.due_at)
        key = (clock.ticket_id, clock.metric, clock.cycle)
        common: dict[str, Any] = {
            "ticket_id": clock.ticket_id,
            "metric": clock.metric,
            "cycle": clock.cycle,
        }
        if clock.warn_at is not None and aware(clock.warn_at) <= now:
            clock.warn_at = None  # handled: not selected again for its warning
            if (*key, WARNING) not in emitted and due_at > now:
                repo.add_emission(SlaEmission(kind=WARNING, at=now, **common))
                record(
                    session, SlaWarning(tenant_id=tenant_id, due_at=due_at.isoformat(), **common)
                )
                warnings += 1
        if due_at <= now and clock.breached_at is None:
            clock.breached_at = due_at
            if (*key, BREACH) not in emitted:
                repo.add_emission(SlaEmission(kind=BREACH, at=now, **common))
                record(
                    session, SlaBreached(tenant_id=tenant_id, due_at=due_at.isoformat(), **common)
                )
                breaches += 1
    return SlaCheckResult(warnings, breaches)
