"""Job functions (one-off background jobs) and scheduled jobs the worker runs.

Domains add theirs here: `JOB_FUNCTIONS[kind]` for `enqueue_job(session, tenant, kind, ...)`,
`scheduled_jobs()` for cron-style work (SLA breach checks, invoice runs, ...).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from subgraphs.kit.db import write_transaction
from subgraphs.kit.events import HandlerContext, SessionFactory, TenantSource
from subgraphs.kit.events.jobs import JobFunction
from subgraphs.kit.events.outbox import purge_published
from subgraphs.kit.events.processed import purge_processed
from subgraphs.kit.events.schedule import Every
from subgraphs.kit.events.scheduler import JobRun, ScheduledJob
from subgraphs.kit.pubsub import PubSub

OUTBOX_RETENTION = timedelta(days=7)
PROCESSED_RETENTION = timedelta(days=30)


async def echo(context: HandlerContext, payload: dict[str, Any]) -> dict[str, Any]:
    """`echo`: returns its payload (smoke tests of the job pipeline)."""
    return {"echo": payload, "tenant": str(context.tenant_id)}


JOB_FUNCTIONS: dict[str, JobFunction] = {"echo": echo}


def scheduled_jobs(
    tenants: TenantSource, sessions: SessionFactory, pubsub: PubSub | None = None
) -> list[ScheduledJob]:
    """`pubsub`: where jobs publish realtime updates (the embedded worker passes the process's
    hub, so subscribers of the subgraph servers in the same process receive them)."""

    async def retention(run: JobRun) -> None:
        """Published outbox rows older than 7 days, processed ids older than 30 days."""
        now = datetime.now(UTC)
        for tenant_id in await tenants.active_tenants():
            async with write_transaction(sessions(tenant_id)) as session:
                await purge_published(session, now - OUTBOX_RETENTION)
                await purge_processed(session, now - PROCESSED_RETENTION)

    # domain jobs: imported here so the worker stays the one place that lists scheduled work
    from subgraphs.chat.jobs import chat_upkeep_job
    from subgraphs.integrations.jobs import webhook_retention_job
    from subgraphs.notifications.delivery import DeliveryConfig, Dispatcher
    from subgraphs.notifications.jobs import dispatch_job
    from subgraphs.projects.jobs import cycle_rollover_job
    from subgraphs.tickets.jobs import sla_check_job

    dispatcher = None  # notifications' own process hub unless one is given
    if pubsub is not None:
        dispatcher = Dispatcher(sessions, pubsub, DeliveryConfig.from_env())
    return [
        ScheduledJob("events.retention", Every(600), retention),
        sla_check_job(tenants, sessions),
        cycle_rollover_job(tenants, sessions),
        chat_upkeep_job(tenants, sessions, pubsub),
        dispatch_job(tenants, sessions, dispatcher),  # notifications: realtime, email, push
        webhook_retention_job(tenants, sessions),  # WEBHOOK_LOG_RETENTION_DAYS
    ]
