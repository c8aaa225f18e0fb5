"""Scheduled jobs of the tickets subgraph, for the worker's scheduler.

`saas_platform/worker/jobs.py` adds `sla_check_job(tenants, sessions)` to `scheduled_jobs()`;
the scheduler runs it once per slot on the leader, and `check_sla` is idempotent anyway.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from subgraphs.kit.events import SessionFactory, TenantSource
from subgraphs.kit.events.schedule import Every
from subgraphs.kit.events.scheduler import JobRun, ScheduledJob
from subgraphs.tickets.service.sla_check import check_sla

logger = logging.getLogger("subgraphs.tickets.jobs")
SLA_CHECK_SECONDS = 30


def sla_check_job(tenants: TenantSource, sessions: SessionFactory) -> ScheduledJob:
    async def run(job: JobRun) -> None:
        now = datetime.now(UTC)
        for tenant_id in await tenants.active_tenants():
            try:
                async with sessions(tenant_id) as session, session.begin():
                    await check_sla(session, tenant_id, now)
            except Exception:  # one tenant's failure must not stop the others
                logger.exception("SLA check failed for tenant %s", tenant_id)

    return ScheduledJob("tickets.sla_check", Every(SLA_CHECK_SECONDS), run)
