"""Soft delete, then purge after the retention window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from test_provisioning import tenant_by_slug

from saas_platform.tenancy.lifecycle import purge_tenants
from saas_platform.tenancy.provisioning import Provisioner
from saas_platform.tenancy.testing import TenancyEnv
from subgraphs.tenants import service
from subgraphs.tenants.errors import RetentionNotElapsedError, TenantStateError


async def test_purge_waits_for_the_retention_window(env: TenancyEnv) -> None:
    provisioner = Provisioner(env.control, env.settings)
    acme = await provisioner.create_tenant("acme", "Acme")
    keep = await provisioner.create_tenant("keep", "Keep")
    with pytest.raises(TenantStateError):
        await purge_tenants(env.control, env.settings, slug="acme")
    async with env.control.transaction() as session:
        await service.delete_tenant(session, acme.id)
    with pytest.raises(RetentionNotElapsedError):
        await purge_tenants(env.control, env.settings, slug="acme")
    assert await purge_tenants(env.control, env.settings) == []

    later = datetime.now(UTC) + timedelta(days=env.settings.tenant_retention_days + 1)
    purged = await purge_tenants(env.control, env.settings, now=later)
    assert [(p.slug, p.database_dropped) for p in purged] == [("acme", True)]
    assert await tenant_by_slug(env, "acme") is None
    assert await env.databases() == [keep.database_name]
    again = await provisioner.create_tenant("acme", "Acme again")  # the slug is free
    assert again.id != acme.id
