"""Fixtures: the tickets harness (identity + tickets over ASGI) for webhook-shape tests."""

from __future__ import annotations

import pytest

from tests.subgraphs.tickets.conftest import env, people, th  # noqa: F401  (fixtures)
from tests.subgraphs.tickets.test_realtime import server  # noqa: F401  (fixture)


@pytest.fixture
def backend() -> str:
    """The webhook shape does not depend on the database: SQLite keeps it fast."""
    return "sqlite"
