"""Bounded chaos run for CI: relay and consumer SIGKILLs, one Redis restart, nothing lost.

The full run (10,000 events) is `python -m tests.chaos.events_chaos`; docs/benchmarks.md has
its figures.
"""

from __future__ import annotations

import shutil

import pytest

from tests.chaos.events_chaos import run_chaos

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


async def test_chaos_loses_nothing_and_duplicates_no_effect(
    postgres_url: str, redis_url: str
) -> None:
    if shutil.which("redis-server") is None:
        pytest.skip("needs the redis-server binary for a throwaway Redis")
    report = await run_chaos(events=1000, tenants=3, seed=11, produce_seconds=8.0)
    assert report.produced == 1000
    assert report.lost == 0, report
    assert report.duplicate_side_effects == 0, report
    assert report.consumed == 1000
    assert report.redis_restarts == 1
    assert report.relay_kills + report.consumer_kills >= 1
