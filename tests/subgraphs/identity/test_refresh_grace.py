"""Refresh-token rotation grace window: concurrent tabs share one successor; reuse after the
window still revokes the family (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.subgraphs.identity.harness import ME, REFRESH, Harness, age_rotations


async def refresh(harness: Harness, tenant_id: str, token: str) -> dict[str, Any]:
    body = await harness.gql(REFRESH, {"t": token}, tenant=tenant_id)
    result: dict[str, Any] = body["data"]["refreshToken"]
    return result


async def test_reuse_within_the_window_returns_the_same_successor(harness: Harness) -> None:
    tenant = await harness.owned_tenant()
    first = await refresh(harness, tenant.id, tenant.owner_refresh)
    again = await refresh(harness, tenant.id, tenant.owner_refresh)
    assert first["userErrors"] == again["userErrors"] == []
    assert again["refreshToken"] == first["refreshToken"] != tenant.owner_refresh
    # the session lives: both access tokens work, and the successor rotates normally
    for access in (first["accessToken"], again["accessToken"]):
        me = await harness.gql(ME, tenant=tenant.id, token=access)
        assert me["data"]["me"]["role"] == "owner", me
    third = await refresh(harness, tenant.id, first["refreshToken"])
    assert third["userErrors"] == []
    assert third["refreshToken"] not in (first["refreshToken"], tenant.owner_refresh)


async def test_concurrent_refreshes_with_one_token_both_succeed(harness: Harness) -> None:
    # on SQLite public operations begin IMMEDIATE (kit begin_write), so the refreshes queue
    tenant = await harness.owned_tenant()
    results = await asyncio.gather(
        *(refresh(harness, tenant.id, tenant.owner_refresh) for _ in range(3))
    )
    assert [r["userErrors"] for r in results] == [[], [], []]
    assert len({r["refreshToken"] for r in results}) == 1


async def test_reuse_after_the_window_revokes_the_family(harness: Harness) -> None:
    tenant = await harness.owned_tenant()
    first = await refresh(harness, tenant.id, tenant.owner_refresh)
    await age_rotations(harness, tenant.id, seconds=11)
    reuse = await refresh(harness, tenant.id, tenant.owner_refresh)
    assert [e["code"] for e in reuse["userErrors"]] == ["TOKEN_REUSED"]
    latest = await refresh(harness, tenant.id, first["refreshToken"])
    assert [e["code"] for e in latest["userErrors"]] == ["INVALID_TOKEN"]
    me = await harness.gql(ME, tenant=tenant.id, token=first["accessToken"])
    assert [e["extensions"]["code"] for e in me["errors"]] == ["UNAUTHENTICATED"]


async def test_a_grace_window_of_zero_detects_any_reuse(harness: Harness) -> None:
    harness.deps.refresh_grace_seconds = 0
    tenant = await harness.owned_tenant()
    await refresh(harness, tenant.id, tenant.owner_refresh)
    reuse = await refresh(harness, tenant.id, tenant.owner_refresh)
    assert [e["code"] for e in reuse["userErrors"]] == ["TOKEN_REUSED"]


async def test_a_successor_is_only_honoured_for_its_own_tenant(harness: Harness) -> None:
    a, b = await harness.owned_tenant(), await harness.owned_tenant()
    await refresh(harness, a.id, a.owner_refresh)
    # A's rotated token presented to tenant B: unknown there, B's session untouched
    cross = await refresh(harness, b.id, a.owner_refresh)
    assert [e["code"] for e in cross["userErrors"]] == ["INVALID_TOKEN"]
    mine = await refresh(harness, b.id, b.owner_refresh)
    assert mine["userErrors"] == []
