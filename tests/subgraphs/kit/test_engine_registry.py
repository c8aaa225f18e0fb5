"""The per-tenant engine registry: budget, LRU eviction, deferred disposal, identity."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from saas_platform.tenancy.migrations import upgrade_tenant
from saas_platform.tenancy.provisioning import write_identity
from subgraphs.kit.db import (
    EngineOptions,
    TenantEngineRegistry,
    TenantIdentityError,
    TenantLocation,
)
from subgraphs.kit.errors import DatabaseUnavailableError, TenantNotFoundError
from subgraphs.kit.ids import TenantId


class Directory:
    """An in-memory TenantDirectory."""

    def __init__(self) -> None:
        self.locations: dict[TenantId, TenantLocation] = {}

    async def locate(self, tenant_id: TenantId) -> TenantLocation | None:
        return self.locations.get(tenant_id)


async def make_tenants(folder: Path, count: int) -> Directory:
    directory = Directory()
    for index in range(count):
        tenant_id = TenantId(uuid.uuid4())
        url = f"sqlite+aiosqlite:///{folder / f'{tenant_id}.db'}"
        await upgrade_tenant(url)
        await write_identity(url, tenant_id, f"t{index}")
        directory.locations[tenant_id] = TenantLocation(tenant_id, f"t{index}", "ACTIVE", url)
    return directory


async def test_sessions_stay_within_budget_and_engines_are_recycled(tmp_path: Path) -> None:
    directory = await make_tenants(tmp_path, 6)
    registry = TenantEngineRegistry(
        directory, budget=4, options=EngineOptions(pool_size=2), acquire_timeout=10
    )
    assert registry.max_engines == 2

    async def work(tenant_id: TenantId) -> None:
        for _ in range(3):
            async with registry.session(tenant_id) as session:
                found = (
                    await session.execute(text("SELECT tenant_id FROM tenant_identity"))
                ).scalar_one()
                assert found == str(tenant_id)
                assert registry.engine_count <= registry.max_engines
                await asyncio.sleep(0.01)

    await asyncio.gather(*(work(t) for t in directory.locations))
    assert registry.stats.peak_sessions <= 4
    assert registry.stats.engines_created >= 6
    await registry.aclose()
    assert registry.stats.engines_disposed == registry.stats.engines_created


async def test_an_evicted_engine_is_disposed_after_its_sessions_finish(tmp_path: Path) -> None:
    directory = await make_tenants(tmp_path, 2)
    first, second = list(directory.locations)
    registry = TenantEngineRegistry(
        directory, budget=2, options=EngineOptions(pool_size=2), acquire_timeout=5
    )
    holding = asyncio.Event()
    release = asyncio.Event()

    async def hold_first() -> None:
        async with registry.session(first) as session:
            await session.execute(text("SELECT 1"))
            holding.set()
            await release.wait()

    holder = asyncio.create_task(hold_first())
    await holding.wait()
    waiter = asyncio.create_task(_query(registry, second))
    await asyncio.sleep(0.1)
    assert not waiter.done()  # the only engine slot is busy
    assert registry.stats.engines_disposed == 0
    release.set()
    await asyncio.gather(holder, waiter)
    assert registry.stats.engines_disposed == 1
    await registry.aclose()


async def test_waiting_beyond_the_timeout_is_database_unavailable(tmp_path: Path) -> None:
    directory = await make_tenants(tmp_path, 2)
    first, second = list(directory.locations)
    registry = TenantEngineRegistry(
        directory, budget=2, options=EngineOptions(pool_size=2), acquire_timeout=0.2
    )
    async with registry.session(first):
        with pytest.raises(DatabaseUnavailableError):
            await _query(registry, second)
    await registry.aclose()


async def test_identity_mismatch_fails_closed(tmp_path: Path) -> None:
    directory = await make_tenants(tmp_path, 1)
    (real,) = directory.locations.values()
    impostor = TenantId(uuid.uuid4())
    directory.locations[impostor] = TenantLocation(impostor, "x", "ACTIVE", real.database_url)
    registry = TenantEngineRegistry(directory, budget=4)
    with pytest.raises(TenantIdentityError):
        await _query(registry, impostor)
    with pytest.raises(TenantNotFoundError):
        await _query(registry, TenantId(uuid.uuid4()))
    await _query(registry, real.tenant_id)  # a failure leaves no slot taken
    await registry.aclose()


async def _query(registry: TenantEngineRegistry, tenant_id: TenantId) -> None:
    async with registry.session(tenant_id) as session:
        await session.execute(text("SELECT 1"))
