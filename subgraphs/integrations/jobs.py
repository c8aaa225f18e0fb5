"""Scheduled jobs of the integrations subgraph, for the worker's scheduler.

`webhook_retention_job` purges finished webhook deliveries (and their attempts) older than
the retention, `WEBHOOK_LOG_RETENTION_DAYS` (default 30), in batches, tenant by tenant.
"""

from __future__ import annotations

import logging
import os
from datetime import timedelta

from subgraphs.integrations.service import purge_delivery_log
from subgraphs.kit.db import write_transaction
from subgraphs.kit.events import SessionFactory, TenantSource
from subgraphs.kit.events.schedule import Every
from subgraphs.kit.events.scheduler import JobRun, ScheduledJob
from subgraphs.kit.ids import TenantId

logger = logging.getLogger("subgraphs.integrations.jobs")
RETENTION_SECONDS = 3600  # how often the purge runs


def retention_from_env() -> timedelta:
    return timedelta(days=float(os.environ.get("WEBHOOK_LOG_RETENTION_DAYS", "30")))


async def purge_tenant(sessions: SessionFactory, tenant_id: TenantId, retention: timedelta) -> int:
    total = 0
    while True:
        async with write_transaction(sessions(tenant_id)) as session:
            purged = await purge_delivery_log(session, retention)
        total += purged
        if purged == 0:
            return total


def webhook_retention_job(
    tenants: TenantSource, sessions: SessionFactory, retention: timedelta | None = None
) -> ScheduledJob:
    keep = retention if retention is not None else retention_from_env()

    async def run(job: JobRun) -> None:
        for tenant_id in await tenants.active_tenants():
            try:
                purged = await purge_tenant(sessions, tenant_id, keep)
            except Exception:  # one tenant's failure must not stop the others
                logger.exception("webhook log purge failed for tenant %s", tenant_id)
                continue
            if purged:
                logger.info("purged %d webhook deliveries of tenant %s", purged, tenant_id)

    return ScheduledJob("integrations.webhook_retention", Every(RETENTION_SECONDS), run)
