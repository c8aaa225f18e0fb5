"""Scheduled job of the notifications subgraph: the delivery dispatcher, every tick.

`saas_platform/worker/jobs.py` adds `dispatch_job(tenants, sessions)`; it runs on the
scheduler's leader (and the lease in the dispatcher keeps a paused ex-leader harmless).
"""

from __future__ import annotations

import logging

from subgraphs.kit.events import SessionFactory, TenantSource
from subgraphs.kit.events.schedule import Every
from subgraphs.kit.events.scheduler import JobRun, ScheduledJob
from subgraphs.notifications.delivery import DeliveryConfig, Dispatcher
from subgraphs.notifications.deps import process_pubsub

logger = logging.getLogger("subgraphs.notifications.jobs")
DISPATCH_SECONDS = 1


def dispatch_job(
    tenants: TenantSource, sessions: SessionFactory, dispatcher: Dispatcher | None = None
) -> ScheduledJob:
    chosen = dispatcher

    async def run(job: JobRun) -> None:
        nonlocal chosen
        if chosen is None:
            chosen = Dispatcher(sessions, process_pubsub(), DeliveryConfig.from_env())
        for tenant_id in await tenants.active_tenants():
            try:
                await chosen.run_tenant(tenant_id)
            except Exception:  # one tenant's failure must not stop the others
                logger.exception("notification dispatch failed for tenant %s", tenant_id)

    return ScheduledJob("notifications.dispatch", Every(DISPATCH_SECONDS), run)
