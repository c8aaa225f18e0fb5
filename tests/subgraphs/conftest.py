"""Fixtures: an isolated tenancy environment on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# `tests/subgraphs/` would otherwise shadow the `subgraphs` package as a namespace package
# when pytest runs without the project root on sys.path (plain `pytest`, editable install)
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)
for _name in [m for m in sys.modules if m == "subgraphs" or m.startswith("subgraphs.")]:
    if getattr(sys.modules[_name], "__file__", None) is None:
        del sys.modules[_name]

from collections.abc import AsyncIterator  # noqa: E402

import pytest  # noqa: E402

from saas_platform.tenancy.testing import (  # noqa: E402
    TenancyEnv,
    drop_session_templates,
    tenancy_env,
)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres":
        request.getfixturevalue("postgres_url")
    return str(request.param)


@pytest.fixture
def pg_admin(request: pytest.FixtureRequest, backend: str) -> str | None:
    return request.getfixturevalue("postgres_url") if backend == "postgres" else None


@pytest.fixture
async def env(backend: str, pg_admin: str | None, tmp_path: Path) -> AsyncIterator[TenancyEnv]:
    async with tenancy_env(backend, tmp_path / "data", pg_admin) as environment:
        yield environment


@pytest.fixture(scope="session", autouse=True)
async def _drop_session_templates(postgres_available: bool) -> AsyncIterator[None]:
    """The migrated template databases shared by this session's environments."""
    yield
    if postgres_available:
        default = "postgresql://postgres@127.0.0.1:5432/postgres"
        await drop_session_templates(os.environ.get("TEST_POSTGRES_URL", default))
