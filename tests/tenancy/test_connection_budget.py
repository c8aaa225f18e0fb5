"""Bounded connections: 200 tenants queried at once stay within the budget."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text

from saas_platform.settings import Settings
from saas_platform.tenancy.provisioning import Provisioner
from saas_platform.tenancy.runtime import build_runtime
from saas_platform.tenancy.servers import libpq_dsn
from saas_platform.tenancy.testing import tenancy_env
from subgraphs.kit.ids import TenantId

TENANTS = 200
BUDGET = 20
QUERIES_PER_TENANT = 2


class ActivitySampler:
    """Samples pg_stat_activity for the tenant databases of this run."""

    def __init__(self, dsn: str, prefix: str) -> None:
        self.dsn, self.prefix = dsn, prefix
        self.peak = 0
        self.samples = 0
        self._stop = asyncio.Event()

    async def run(self) -> None:
        connection = await asyncpg.connect(self.dsn, timeout=3)
        try:
            while not self._stop.is_set():
                count = await connection.fetchval(
                    "SELECT count(*) FROM pg_stat_activity WHERE starts_with(datname, $1) "
                    "AND datname <> $2 AND backend_type = 'client backend'",
                    self.prefix,
                    f"{self.prefix}control",
                )
                self.peak, self.samples = max(self.peak, count), self.samples + 1
                await asyncio.sleep(0.01)
        finally:
            await connection.close()

    def stop(self) -> None:
        self._stop.set()


@pytest.mark.postgres
@pytest.mark.slow
async def test_200_tenants_queried_concurrently_stay_within_budget(
    postgres_url: str, tmp_path: Path, deferred_drops: list[Settings]
) -> None:
    async with tenancy_env(
        "postgres",
        tmp_path,
        postgres_url,
        drop_at_exit=False,
        connection_budget=BUDGET,
        db_pool_timeout=30.0,
    ) as env:
        deferred_drops.append(env.settings)
        provisioner = Provisioner(env.control, env.settings)
        gate = asyncio.Semaphore(16)

        async def provision(index: int) -> TenantId:
            async with gate:
                tenant = await provisioner.create_tenant(f"load-{index:03d}", f"Load {index}")
            return TenantId(tenant.id)

        started = time.perf_counter()
        tenant_ids = await asyncio.gather(*(provision(i) for i in range(TENANTS)))
        provisioning_seconds = time.perf_counter() - started

        runtime = build_runtime(env.settings)
        sampler = ActivitySampler(libpq_dsn(env.settings.default_server_url), env.prefix)
        sampling = asyncio.create_task(sampler.run())
        await asyncio.sleep(0.05)

        async def query(tenant_id: TenantId) -> None:
            for _ in range(QUERIES_PER_TENANT):
                async with runtime.tenants.session(tenant_id) as session:
                    result = await session.execute(
                        text("SELECT tenant_id FROM tenant_identity, pg_sleep(0.002)")
                    )
                    assert result.scalar_one() == str(tenant_id)

        started = time.perf_counter()
        try:
            results = await asyncio.gather(*(query(t) for t in tenant_ids), return_exceptions=True)
        finally:
            query_seconds = time.perf_counter() - started
            sampler.stop()
            await sampling
            stats = runtime.tenants.stats
            await runtime.aclose()

        errors = [r for r in results if isinstance(r, BaseException)]
        too_many = [e for e in errors if "too many" in str(e) or "53300" in str(e)]
        print(
            f"\n{TENANTS} tenants provisioned in {provisioning_seconds:.1f}s; "
            f"queried in {query_seconds:.1f}s; peak connections {sampler.peak}/{BUDGET} "
            f"over {sampler.samples} samples; engines created {stats.engines_created}, "
            f"evicted {stats.engines_evicted}; peak sessions {stats.peak_sessions}; "
            f"errors {len(errors)} (too many connections: {len(too_many)})"
        )
        assert not too_many
        assert not errors, errors[:3]
        assert sampler.samples > 5
        assert 0 < sampler.peak <= BUDGET
        assert stats.peak_sessions <= BUDGET
