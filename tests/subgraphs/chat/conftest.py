"""Fixtures: identity + chat on a fresh tenancy environment (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from saas_platform.tenancy.testing import TenancyEnv, tenancy_env
from tests.subgraphs.chat.harness import ChatHarness, People, chat_harness


@pytest.fixture
async def env(backend: str, pg_admin: str | None, tmp_path: Path) -> AsyncIterator[TenancyEnv]:
    async with tenancy_env(
        backend, tmp_path / "data", pg_admin, tenant_pool_size=6, db_pool_timeout=10.0
    ) as environment:
        yield environment


@pytest.fixture
async def ch(env: TenancyEnv) -> AsyncIterator[ChatHarness]:
    async with chat_harness(env) as built:
        yield built


@pytest.fixture
async def people(ch: ChatHarness) -> People:
    return await ch.people()
