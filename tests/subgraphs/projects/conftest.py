"""Fixtures: the projects app beside the identity app, on SQLite and PostgreSQL.

Provisioning a tenant and signing up costs seconds, so one `world` per backend for the whole run
holds two tenants (A with owner, member and viewer tokens; B with its owner); each test
makes its own projects with fresh keys.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from saas_platform.tenancy.testing import tenancy_env
from tests.conftest import IN_CI, POSTGRES_URL
from tests.subgraphs.identity.harness import Tenant
from tests.subgraphs.projects.harness import ProjectsHarness, projects_harness


@dataclass
class World:
    api: ProjectsHarness
    backend: str
    a: Tenant
    b: Tenant
    member: str  # tokens of tenant A
    viewer: str

    @staticmethod
    def key() -> str:
        return "K" + "".join(secrets.choice(string.ascii_uppercase) for _ in range(6))


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
async def world(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    postgres_available: bool,
) -> AsyncIterator[World]:
    backend = str(request.param)
    if backend == "postgres" and not postgres_available:
        if IN_CI:
            pytest.fail("PostgreSQL does not answer and CI=true forbids skipping")
        pytest.skip("PostgreSQL does not answer")
    admin = POSTGRES_URL if backend == "postgres" else None
    data = tmp_path_factory.mktemp("projects") / "data"
    async with tenancy_env(backend, data, admin) as env, projects_harness(env) as api:
        a, b = await api.tenant(), await api.tenant()
        member = await api.token_for(a, "member")
        viewer = await api.token_for(a, "viewer")
        yield World(api, backend, a, b, member, viewer)
