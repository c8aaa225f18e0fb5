"""One-off background jobs: a `background_jobs` row plus a `jobs.job_requested` event.

`enqueue_job(session, tenant_id, kind, payload)` writes both in the caller's transaction; the
`jobs` consumer group runs the registered function for `kind` in the tenant's database, with
the consumer's retries and dead-lettering. Status: QUEUED -> (RETRYING) -> SUCCEEDED | FAILED,
readable with `find_job` (and over GraphQL as `job(id)` in the integrations subgraph).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.db.engines import write_transaction
from subgraphs.kit.events.consumer import HandlerContext, Subscription
from subgraphs.kit.events.models import JobRow
from subgraphs.kit.events.outbox import record
from subgraphs.kit.events.relay import SessionFactory
from subgraphs.kit.events.types import Event, register
from subgraphs.kit.ids import TenantId

__all__ = [
    "JobFunction",
    "JobRequested",
    "JobStatus",
    "enqueue_job",
    "find_job",
    "jobs_subscription",
]

JOBS_GROUP = "jobs"
JobFunction = Callable[[HandlerContext, dict[str, Any]], Awaitable[dict[str, Any] | None]]


class JobStatus(StrEnum):
    QUEUED = "QUEUED"
    RETRYING = "RETRYING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


@register
@dataclass(frozen=True, kw_only=True)
class JobRequested(Event):
    event_type: ClassVar[str] = "jobs.job_requested"
    domain: ClassVar[str] = "jobs"
    description: ClassVar[str] = "A one-off background job was enqueued."
    job_id: uuid.UUID
    kind: str


def _now() -> datetime:
    return datetime.now(UTC)


def enqueue_job(
    session: AsyncSession,
    tenant_id: TenantId,
    kind: str,
    payload: dict[str, Any] | None = None,
    actor: str | None = None,
) -> uuid.UUID:
    job_id = uuid.uuid4()
    now = _now()
    session.add(
        JobRow(
            id=str(job_id),
            tenant_id=str(tenant_id),
            kind=kind,
            status=JobStatus.QUEUED.value,
            payload=orjson.dumps(payload or {}).decode(),
            attempts=0,
            created_at=now,
            updated_at=now,
        )
    )
    record(session, JobRequested(tenant_id=tenant_id, actor=actor, job_id=job_id, kind=kind))
    return job_id


async def find_job(session: AsyncSession, job_id: uuid.UUID) -> JobRow | None:
    statement = select(JobRow).where(JobRow.id == str(job_id))
    return (await session.execute(statement)).scalars().first()


def jobs_subscription(functions: dict[str, JobFunction], sessions: SessionFactory) -> Subscription:
    async def handle(context: HandlerContext, item: Event) -> None:
        assert isinstance(item, JobRequested)
        job = await find_job(context.session, item.job_id)
        if job is None or job.status == JobStatus.SUCCEEDED:
            return
        function = functions.get(job.kind)
        if function is None:
            raise LookupError(f"no job function for {job.kind!r}")
        result = await function(context, orjson.loads(job.payload))
        job.status = JobStatus.SUCCEEDED.value
        job.result = orjson.dumps(result).decode() if result is not None else None
        job.error = None
        job.attempts += 1
        job.updated_at = _now()

    async def failed(tenant_id: TenantId, item: Event, error: BaseException, final: bool) -> None:
        assert isinstance(item, JobRequested)
        async with write_transaction(sessions(tenant_id)) as session:
            job = await find_job(session, item.job_id)
            if job is not None:
                job.status = (JobStatus.FAILED if final else JobStatus.RETRYING).value
                job.error = repr(error)[:2000]
                job.attempts += 1
                job.updated_at = _now()

    return Subscription(
        JOBS_GROUP,
        ("jobs",),
        handle,
        event_types=frozenset({JobRequested.event_type}),
        on_failure=failed,
    )
