"""Fixtures: identity + files on a fresh tenancy environment (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from saas_platform.tenancy.testing import TenancyEnv
from tests.subgraphs.files.harness import FilesHarness, files_harness


@pytest.fixture
async def fh(env: TenancyEnv) -> AsyncIterator[FilesHarness]:
    async with files_harness(env) as built:
        yield built
