"""Backup and restore of one tenant, round-tripped on real data."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from saas_platform.tenancy.backup import BackupError, backup_tenant, restore_tenant
from saas_platform.tenancy.provisioning import Provisioner
from saas_platform.tenancy.runtime import build_runtime
from saas_platform.tenancy.testing import TenancyEnv
from subgraphs.kit.ids import TenantId
from subgraphs.kit.runtime import Runtime

ROWS = [(1, "first"), (2, "second"), (3, "third")]


async def run(runtime: Runtime, tenant_id: TenantId, *statements: str) -> None:
    async with runtime.tenants.session(tenant_id) as session:
        for statement in statements:
            await session.execute(text(statement))
        await session.commit()


async def notes(runtime: Runtime, tenant_id: TenantId) -> list[tuple[int, str]]:
    async with runtime.tenants.session(tenant_id) as session:
        rows = await session.execute(text("SELECT id, body FROM notes ORDER BY id"))
        return [(r[0], r[1]) for r in rows]


async def test_backup_then_restore_round_trips_data(env: TenancyEnv, tmp_path: Path) -> None:
    tenant = await Provisioner(env.control, env.settings).create_tenant("acme", "Acme")
    tenant_id = TenantId(tenant.id)
    runtime = build_runtime(env.settings)
    try:
        values = ", ".join(f"({i}, '{body}')" for i, body in ROWS)
        await run(
            runtime,
            tenant_id,
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)",
            f"INSERT INTO notes (id, body) VALUES {values}",
        )
        backup = await backup_tenant(env.control, "acme", tmp_path / "acme.backup")
        assert backup.stat().st_size > 0

        await run(
            runtime,
            tenant_id,
            "DELETE FROM notes WHERE id = 1",
            "UPDATE notes SET body = 'changed' WHERE id = 2",
            "INSERT INTO notes (id, body) VALUES (4, 'fourth')",
        )
        assert await notes(runtime, tenant_id) == [(2, "changed"), (3, "third"), (4, "fourth")]

        await restore_tenant(env.control, env.settings, "acme", backup)
        await runtime.tenants.evict(tenant_id)
        assert await notes(runtime, tenant_id) == ROWS
    finally:
        await runtime.aclose()


async def test_restoring_another_tenants_backup_is_refused(env: TenancyEnv, tmp_path: Path) -> None:
    provisioner = Provisioner(env.control, env.settings)
    acme = await provisioner.create_tenant("acme", "Acme")
    await provisioner.create_tenant("beta", "Beta")
    backup = await backup_tenant(env.control, "beta", tmp_path / "beta.backup")
    with pytest.raises(BackupError, match="belongs to"):
        await restore_tenant(env.control, env.settings, "acme", backup)
    runtime = build_runtime(env.settings)
    try:
        async with runtime.tenants.session(TenantId(acme.id)) as session:
            slug = (await session.execute(text("SELECT slug FROM tenant_identity"))).scalar_one()
        assert slug == "acme"
        assert len(await env.databases()) == 2  # no scratch or half-restored database left
    finally:
        await runtime.aclose()
