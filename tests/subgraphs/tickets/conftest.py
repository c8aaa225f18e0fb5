"""Fixtures: identity + tickets on a fresh tenancy environment (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from saas_platform.tenancy.testing import TenancyEnv, tenancy_env
from tests.subgraphs.tickets.harness import People, TicketsHarness, tickets_harness


@pytest.fixture
async def env(backend: str, pg_admin: str | None, tmp_path: Path) -> AsyncIterator[TenancyEnv]:
    """Pools of 8 per tenant (the default is 2): concurrency tests hold several write
    transactions on one tenant at once."""
    async with tenancy_env(
        backend, tmp_path / "data", pg_admin, tenant_pool_size=8, db_pool_timeout=10.0
    ) as environment:
        yield environment


@pytest.fixture
async def th(env: TenancyEnv) -> AsyncIterator[TicketsHarness]:
    async with tickets_harness(env) as built:
        yield built


@pytest.fixture
async def people(th: TicketsHarness) -> People:
    return await th.people()
