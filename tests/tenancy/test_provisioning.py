"""Provisioning: states, idempotence, resumption after an interruption at every step."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select, text

from saas_platform.tenancy.migrations import pending_revisions
from saas_platform.tenancy.provisioning import Provisioner, ProvisioningStep
from saas_platform.tenancy.servers import tenant_database_url
from saas_platform.tenancy.testing import DEAD_SERVER_URL, TenancyEnv
from subgraphs.kit.db import EngineOptions, create_database_engine
from subgraphs.tenants.errors import (
    DatabaseUnreachableError,
    ProvisioningFailedError,
    SlugTakenError,
)
from subgraphs.tenants.models import DatabaseServer, Tenant, TenantStatus
from subgraphs.tenants.repository import TenantRepository


class SimulatedCrash(BaseException):
    """Not an Exception: the provisioner's own error handling must not see it, as with kill."""


class CrashAfter:
    """A step hook that crashes the provisioner right after `step` completes."""

    def __init__(self, step: ProvisioningStep) -> None:
        self.step = step

    async def __call__(self, tenant_id: uuid.UUID, step: ProvisioningStep) -> None:
        if step == self.step:
            raise SimulatedCrash(step)


async def tenant_by_slug(env: TenancyEnv, slug: str) -> Tenant | None:
    async with env.control.session() as session:
        return await TenantRepository(session).find_by_slug(slug)


async def assert_healthy(env: TenancyEnv, tenant: Tenant) -> None:
    """ACTIVE, exactly one tenant database, at every head, stamped with the tenant id."""
    assert tenant.status == TenantStatus.ACTIVE.value
    assert await env.databases() == [tenant.database_name]
    async with env.control.session() as session:
        server = await session.get(DatabaseServer, tenant.database_server_id)
    assert server is not None
    url = tenant_database_url(server.url, tenant.database_name)
    assert await pending_revisions(url) == set()
    engine = create_database_engine(url, EngineOptions(null_pool=True))
    try:
        async with engine.connect() as connection:
            rows = (
                await connection.execute(text("SELECT tenant_id, slug FROM tenant_identity"))
            ).all()
    finally:
        await engine.dispose()
    assert [(str(r[0]), r[1]) for r in rows] == [(str(tenant.id), tenant.slug)]


async def test_create_tenant_provisions_one_healthy_database(env: TenancyEnv) -> None:
    tenant = await Provisioner(env.control, env.settings).create_tenant("acme", "Acme")
    assert tenant.provisioning_step == ProvisioningStep.ACTIVATED.value
    await assert_healthy(env, tenant)


async def test_provisioning_twice_is_a_no_op(env: TenancyEnv) -> None:
    provisioner = Provisioner(env.control, env.settings)
    tenant = await provisioner.create_tenant("acme", "Acme")
    again = await provisioner.provision(tenant.id)
    assert again.status == TenantStatus.ACTIVE.value
    await assert_healthy(env, again)
    with pytest.raises(SlugTakenError):
        await provisioner.create_tenant("acme", "Acme again")


@pytest.mark.parametrize("step", list(ProvisioningStep))
async def test_interrupted_at_each_step_then_rerun_converges(
    env: TenancyEnv, step: ProvisioningStep
) -> None:
    crashing = Provisioner(env.control, env.settings, hook=CrashAfter(step))
    with pytest.raises(SimulatedCrash):
        await crashing.create_tenant("acme", "Acme")
    recorded = await tenant_by_slug(env, "acme")
    assert recorded is not None
    assert recorded.provisioning_step == step.value
    tenant = await Provisioner(env.control, env.settings).provision(recorded.id)
    await assert_healthy(env, tenant)


async def test_concurrent_provisioners_of_one_tenant_converge(env: TenancyEnv) -> None:
    first = Provisioner(env.control, env.settings)
    tenant = await first.register("acme", "Acme")
    second = Provisioner(env.control, env.settings)
    results = await asyncio.gather(first.provision(tenant.id), second.provision(tenant.id))
    assert {r.status for r in results} == {TenantStatus.ACTIVE.value}
    await assert_healthy(env, results[0])


async def test_unreachable_server_leaves_nothing_behind(env: TenancyEnv) -> None:
    async with env.control.transaction() as session:
        session.add(DatabaseServer(name="dead", url=DEAD_SERVER_URL))
    provisioner = Provisioner(env.control, env.settings)
    with pytest.raises(DatabaseUnreachableError):
        await provisioner.create_tenant("acme", "Acme", server_name="dead")
    assert await tenant_by_slug(env, "acme") is None
    async with env.control.session() as session:
        assert (await session.execute(select(Tenant))).first() is None
    assert await env.databases() == []
    # the slug is free again, on a server that answers
    tenant = await provisioner.create_tenant("acme", "Acme", server_name="default")
    await assert_healthy(env, tenant)


BROKEN = '''"""broken"""
revision = "broken_0001"
down_revision = None
branch_labels = ("broken",)
depends_on = None


def upgrade() -> None:
    raise RuntimeError("this migration always fails")


def downgrade() -> None:
    pass
'''


async def test_failed_migration_is_failed_with_reason_then_resumable(
    env: TenancyEnv, tmp_path: Path
) -> None:
    versions = tmp_path / "broken"
    versions.mkdir()
    (versions / "broken_0001.py").write_text(BROKEN)
    broken = Provisioner(env.control, env.settings, extra_locations=[versions])
    with pytest.raises(ProvisioningFailedError, match="always fails"):
        await broken.create_tenant("acme", "Acme")
    left = await tenant_by_slug(env, "acme")
    if left is None:  # PostgreSQL: the template failed, no tenant database was ever created
        assert await env.databases() == []
        return
    assert left.status == TenantStatus.FAILED.value
    assert left.failure_reason is not None
    assert "always fails" in left.failure_reason
    tenant = await Provisioner(env.control, env.settings).provision(left.id)
    await assert_healthy(env, tenant)
