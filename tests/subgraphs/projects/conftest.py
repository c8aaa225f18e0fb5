"""Fixtures: the projects app beside the identity app, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from saas_platform.tenancy.testing import TenancyEnv
from tests.subgraphs.projects.harness import ProjectsHarness, projects_harness


@pytest.fixture
async def projects(env: TenancyEnv) -> AsyncIterator[ProjectsHarness]:
    async with projects_harness(env) as built:
        yield built
