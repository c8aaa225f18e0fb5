"""The embedded default: `run_embedded_worker` on SQLite and in-memory streams, no Redis."""

from __future__ import annotations

import asyncio

import pytest

from saas_platform.settings import Settings
from saas_platform.tenancy.directory import ControlTenantDirectory
from saas_platform.worker.runner import run_embedded_worker
from subgraphs.integrations import service
from subgraphs.kit.context import ScopeResolver
from subgraphs.kit.events.jobs import JobStatus, enqueue_job, find_job
from subgraphs.kit.runtime import Runtime
from tests.events.conftest import World
from tests.events.helpers import produce
from tests.events.receiver import Script, receiver


async def test_embedded_worker_relays_consumes_and_delivers(
    sqlite_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEBHOOK_ALLOW_PRIVATE", "true")
    world = sqlite_world
    tenant = world.tenants[0]
    scopes = ScopeResolver(ControlTenantDirectory(world.env.control), trust_header=True)
    runtime = Runtime(control=world.env.control, tenants=world.registry, scopes=scopes)
    runtime.extras["settings"] = Settings(database_url=None, redis_url=None)
    script = Script([200])
    stop = asyncio.Event()
    with receiver(script) as url:
        async with world.session(tenant) as session, session.begin():
            await service.create_endpoint(session, url, ["sample.happened"])
            job_id = enqueue_job(session, tenant, "echo", {"n": 1})
        worker = asyncio.create_task(run_embedded_worker(runtime, stop))
        await produce(world, tenant, 2)
        for _ in range(100):
            await asyncio.sleep(0.1)
            async with world.session(tenant) as session:
                job = await find_job(session, job_id)
            if len(script.received) == 2 and job and job.status == JobStatus.SUCCEEDED:
                break
        stop.set()
        await asyncio.wait_for(worker, 10)
    assert len(script.received) == 2
    assert job is not None
    assert job.status == JobStatus.SUCCEEDED
