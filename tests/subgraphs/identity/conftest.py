"""Fixtures: the identity app on a fresh tenancy environment (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from saas_platform.tenancy.testing import TenancyEnv
from tests.subgraphs.identity.harness import Harness, identity_harness


@pytest.fixture
async def harness(env: TenancyEnv) -> AsyncIterator[Harness]:
    async with identity_harness(env) as built:
        yield built
