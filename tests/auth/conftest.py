"""Fixtures: the identity app on an embedded (SQLite) tenancy environment.

Token verification does not depend on the database backend; the PostgreSQL paths are covered
by tests/subgraphs/identity/.
"""

from __future__ import annotations

import sys
from pathlib import Path

# `tests/subgraphs/` would otherwise shadow the `subgraphs` package as a namespace package
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)
for _name in [m for m in sys.modules if m == "subgraphs" or m.startswith("subgraphs.")]:
    if getattr(sys.modules[_name], "__file__", None) is None:
        del sys.modules[_name]

from collections.abc import AsyncIterator  # noqa: E402

import pytest  # noqa: E402

from saas_platform.tenancy.testing import TenancyEnv, tenancy_env  # noqa: E402
from tests.subgraphs.identity.harness import Harness, identity_harness  # noqa: E402


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[TenancyEnv]:
    async with tenancy_env("sqlite", tmp_path / "data") as environment:
        yield environment


@pytest.fixture
async def harness(env: TenancyEnv) -> AsyncIterator[Harness]:
    async with identity_harness(env) as built:
        yield built
