"""Fixtures: identity + notifications on a fresh tenancy environment (SQLite, PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from saas_platform.tenancy.testing import TenancyEnv
from tests.subgraphs.notifications.harness import (
    NotificationsHarness,
    Team,
    notifications_harness,
)


@pytest.fixture
async def nh(env: TenancyEnv) -> AsyncIterator[NotificationsHarness]:
    async with notifications_harness(env) as built:
        yield built


@pytest.fixture
async def team(nh: NotificationsHarness) -> Team:
    return await nh.team()
