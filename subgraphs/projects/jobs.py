"""Scheduled jobs of the projects subgraph, for the worker's scheduler.

`saas_platform/worker/jobs.py` lists `cycle_rollover_job(tenants, sessions)` in
`scheduled_jobs()`. The scheduler runs it once per slot on the leader, and
`rollover_due_cycles` is idempotent anyway.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from subgraphs.kit.db import write_transaction
from subgraphs.kit.events import SessionFactory, TenantSource
from subgraphs.kit.events.schedule import Every
from subgraphs.kit.events.scheduler import JobRun, ScheduledJob
from subgraphs.projects.service.cycles import rollover_due_cycles

logger = logging.getLogger("subgraphs.projects.jobs")
ROLLOVER_SECONDS = 3600  # a cycle ends on a date: hourly is prompt enough in every zone


def cycle_rollover_job(tenants: TenantSource, sessions: SessionFactory) -> ScheduledJob:
    async def run(job: JobRun) -> None:
        today = datetime.now(UTC).date()
        for tenant_id in await tenants.active_tenants():
            try:
                async with write_transaction(sessions(tenant_id)) as session:
                    await rollover_due_cycles(session, tenant_id, today)
            except Exception:  # one tenant's failure must not stop the others
                logger.exception("cycle roll-over failed for tenant %s", tenant_id)

    return ScheduledJob("projects.cycle_rollover", Every(ROLLOVER_SECONDS), run)
