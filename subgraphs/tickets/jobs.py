"""Scheduled jobs of the tickets subgraph, for the worker's scheduler.

`saas_platform/worker/jobs.py` adds `sla_check_job(tenants, sessions)` to `scheduled_jobs()`;
the scheduler runs it once per slot on the leader. Each slot checks the SLA clocks, then runs
the time-based automations (`time_automations`), each tenant in its own transactions (one per
batch of tickets), so the worker's list needs no second entry. Both are idempotent: a re-run,
a restart or a concurrent run emits and fires nothing twice.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from subgraphs.kit.db import write_transaction
from subgraphs.kit.events import SessionFactory, TenantSource
from subgraphs.kit.events.schedule import Every
from subgraphs.kit.events.scheduler import JobRun, ScheduledJob
from subgraphs.kit.ids import TenantId
from subgraphs.tickets.service.automation_time import run_time_automations
from subgraphs.tickets.service.sla_check import check_sla

logger = logging.getLogger("subgraphs.tickets.jobs")
SLA_CHECK_SECONDS = 30
MAX_BATCHES = 100  # time automations look at most 100 batches (20,000 tickets) per slot


async def time_automations(sessions: SessionFactory, tenant_id: TenantId, now: datetime) -> int:
    """Every batch of one tenant, each in its own transaction; the number of firings."""
    after: int | None = 0
    fired = 0
    for _ in range(MAX_BATCHES):
        if after is None:
            break
        async with write_transaction(sessions(tenant_id)) as session:
            result = await run_time_automations(session, tenant_id, now, after)
        fired, after = fired + result.fired, result.next_after
    return fired


def sla_check_job(tenants: TenantSource, sessions: SessionFactory) -> ScheduledJob:
    async def run(job: JobRun) -> None:
        now = datetime.now(UTC)
        for tenant_id in await tenants.active_tenants():
            try:
                async with write_transaction(sessions(tenant_id)) as session:
                    await check_sla(session, tenant_id, now)
            except Exception:  # one tenant's failure must not stop the others
                logger.exception("SLA check failed for tenant %s", tenant_id)
            try:
                await time_automations(sessions, tenant_id, now)
            except Exception:
                logger.exception("time automations failed for tenant %s", tenant_id)

    return ScheduledJob("tickets.sla_check", Every(SLA_CHECK_SECONDS), run)
