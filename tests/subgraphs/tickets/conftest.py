"""Fixtures: identity + tickets on a fresh tenancy environment (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from saas_platform.tenancy.testing import TenancyEnv
from tests.subgraphs.tickets.harness import People, TicketsHarness, tickets_harness


@pytest.fixture
async def th(env: TenancyEnv) -> AsyncIterator[TicketsHarness]:
    async with tickets_harness(env) as built:
        yield built


@pytest.fixture
async def people(th: TicketsHarness) -> People:
    return await th.people()
