"""The per-tenant storage quota (SQLite and PostgreSQL): counted with the file row, refusals
store nothing, deletes free the room, concurrent uploads never pass it together, and one
tenant's usage never counts for another."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import delete

from saas_platform.tenancy.testing import TenancyEnv
from subgraphs.files.models import FileUsage
from subgraphs.files.repository import FileRepository
from subgraphs.kit.files import FilesConfig
from subgraphs.kit.ids import parse_tenant_id
from tests.subgraphs.files.harness import (
    DELETE,
    FilesHarness,
    files_config,
    files_harness,
    stored_files,
)
from tests.subgraphs.identity.harness import Tenant

QUOTA = 200


@pytest.fixture
async def small(env: TenancyEnv) -> AsyncIterator[FilesHarness]:
    config = files_config(env.settings.data_dir / "files", tenant_quota_bytes=QUOTA)
    async with files_harness(env, config) as built:
        yield built


async def _usage(fh: FilesHarness, tenant: Tenant) -> tuple[int, int]:
    tenant_id = parse_tenant_id(tenant.id)
    assert tenant_id is not None
    async with fh.identity.runtime.tenants.session(tenant_id) as session:
        return await FileRepository(session).usage()


def _codes(result: dict[str, Any]) -> list[str]:
    return [e["code"] for e in result["userErrors"]]


async def test_uploads_past_the_quota_are_refused_and_store_nothing(small: FilesHarness) -> None:
    tenant = await small.tenant()
    first = await small.upload(tenant, "a.txt", b"a" * 120, "text/plain")
    assert first["userErrors"] == []
    assert await _usage(small, tenant) == (120, 1)
    refused = await small.upload(tenant, "b.txt", b"b" * 100, "text/plain")
    assert refused["file"] is None
    assert _codes(refused) == ["QUOTA_EXCEEDED"]
    assert str(QUOTA) in refused["userErrors"][0]["message"]
    assert refused["userErrors"][0]["field"] == "file"
    assert await _usage(small, tenant) == (120, 1)
    assert len(stored_files(small.deps.config.root)) == 1
    # exactly up to the quota is fine
    exact = await small.upload(tenant, "c.txt", b"c" * 80, "text/plain")
    assert exact["userErrors"] == []
    assert await _usage(small, tenant) == (QUOTA, 2)
    # deleting frees the room
    deleted = await small.gql(DELETE, {"id": first["file"]["id"]}, tenant)
    assert deleted["data"]["deleteFile"]["deletedId"] == first["file"]["id"]
    assert await _usage(small, tenant) == (80, 1)
    again = await small.upload(tenant, "d.txt", b"d" * 100, "text/plain")
    assert again["userErrors"] == []
    assert await _usage(small, tenant) == (180, 2)


async def test_one_tenants_usage_never_counts_for_another(small: FilesHarness) -> None:
    a, b = await small.tenant(), await small.tenant()
    assert (await small.upload(a, "a.txt", b"a" * QUOTA, "text/plain"))["userErrors"] == []
    assert _codes(await small.upload(a, "more.txt", b"x", "text/plain")) == ["QUOTA_EXCEEDED"]
    # B still has its whole quota
    assert await _usage(small, b) == (0, 0)
    assert (await small.upload(b, "b.txt", b"b" * QUOTA, "text/plain"))["userErrors"] == []
    assert await _usage(small, a) == (QUOTA, 1)
    assert await _usage(small, b) == (QUOTA, 1)
    assert _codes(await small.upload(b, "x.txt", b"x", "text/plain")) == ["QUOTA_EXCEEDED"]
    # A cannot delete B's file (it is not in A's database), so A's usage stays
    tenant_b = parse_tenant_id(b.id)
    assert tenant_b is not None
    async with small.identity.runtime.tenants.session(tenant_b) as session:
        (row,) = await FileRepository(session).find_all(FileRepository(session).base())
    refused = await small.gql(DELETE, {"id": str(row.id)}, a)
    assert refused["data"]["deleteFile"]["userErrors"] == [{"code": "FILE_NOT_FOUND"}]
    assert await _usage(small, a) == (QUOTA, 1)
    assert await _usage(small, b) == (QUOTA, 1)
    # B deleting its file frees B's room, not A's
    deleted = await small.gql(DELETE, {"id": str(row.id)}, b)
    assert deleted["data"]["deleteFile"]["deletedId"] == str(row.id)
    assert await _usage(small, b) == (0, 0)
    assert await _usage(small, a) == (QUOTA, 1)


async def test_concurrent_uploads_never_pass_the_quota_together(small: FilesHarness) -> None:
    tenant = await small.tenant()
    # 8 uploads of 60 bytes against 200: at most 3 fit, whatever the interleaving
    results = await asyncio.gather(
        *(small.upload(tenant, f"{i}.txt", b"z" * 60, "text/plain") for i in range(8))
    )
    stored = [r for r in results if r["file"] is not None]
    refused = [r for r in results if r["file"] is None]
    assert len(stored) == 3
    assert all(_codes(r) == ["QUOTA_EXCEEDED"] for r in refused)
    assert await _usage(small, tenant) == (180, 3)
    assert len(stored_files(small.deps.config.root)) == 3


async def test_usage_is_recounted_when_the_row_is_missing(small: FilesHarness) -> None:
    tenant = await small.tenant()
    assert (await small.upload(tenant, "a.txt", b"a" * 50, "text/plain"))["userErrors"] == []
    tenant_id = parse_tenant_id(tenant.id)
    assert tenant_id is not None
    async with small.identity.runtime.tenants.session(tenant_id) as session:
        await session.execute(delete(FileUsage))
        await session.commit()
    assert await _usage(small, tenant) == (50, 1)  # counted from the files
    assert (await small.upload(tenant, "b.txt", b"b" * 60, "text/plain"))["userErrors"] == []
    assert await _usage(small, tenant) == (110, 2)
    refused = await small.upload(tenant, "c.txt", b"c" * 100, "text/plain")
    assert _codes(refused) == ["QUOTA_EXCEEDED"]


def test_quota_configuration() -> None:
    assert FilesConfig.from_env({}).tenant_quota_bytes == 1024**3
    assert FilesConfig.from_env({"FILES_TENANT_QUOTA_BYTES": "0"}).tenant_quota_bytes == 0
    assert FilesConfig.from_env({"FILES_TENANT_QUOTA_BYTES": "5"}).tenant_quota_bytes == 5
