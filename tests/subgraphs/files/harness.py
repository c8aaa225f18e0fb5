"""Test harness: tenants and people through identity, the files app over ASGI."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from saas_platform.tenancy.testing import TenancyEnv
from subgraphs.files.app import build_app
from subgraphs.files.deps import FilesDeps
from subgraphs.kit.files import FilesConfig, LocalStorage, StorageBackend
from tests.subgraphs.identity.harness import Harness, Tenant, identity_harness

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 64
UPLOAD = """mutation($file: Upload!) { uploadFile(file: $file) {
  file { id name size contentType sha256 createdAt downloadUrl }
  userErrors { field code message } } }"""
GET = "query($id: ID!) { file(id: $id) { id name downloadUrl(expiresIn: 60) } }"
DELETE = "mutation($id: ID!) { deleteFile(id: $id) { deletedId userErrors { code } } }"


def multipart(
    query: str, name: str, data: bytes, content_type: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """httpx keyword arguments for a GraphQL multipart request with one file at `$file`."""
    operations = {"query": query, "variables": {**(variables or {}), "file": None}}
    return {
        "data": {
            "operations": json.dumps(operations),
            "map": json.dumps({"0": ["variables.file"]}),
        },
        "files": {"0": (name, data, content_type)},
    }


@dataclass
class FilesHarness:
    identity: Harness
    client: httpx.AsyncClient
    deps: FilesDeps
    app: Any

    async def tenant(self) -> Tenant:
        return await self.identity.owned_tenant()

    async def upload(
        self, tenant: Tenant, name: str, data: bytes, content_type: str, token: str | None = None
    ) -> dict[str, Any]:
        headers = {
            "x-tenant-id": tenant.id,
            "authorization": f"Bearer {token or tenant.owner_token}",
        }
        response = await self.client.post(
            "/graphql", headers=headers, **multipart(UPLOAD, name, data, content_type)
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body
        result: dict[str, Any] = body["data"]["uploadFile"]
        return result

    async def gql(
        self, query: str, variables: dict[str, Any], tenant: Tenant, token: str | None = None
    ) -> dict[str, Any]:
        headers = {
            "x-tenant-id": tenant.id,
            "authorization": f"Bearer {token or tenant.owner_token}",
        }
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


def stored_files(root: Path) -> list[Path]:
    """Every file under a storage root (blocking: small test directories only)."""
    return [p for p in root.rglob("*") if p.is_file()]


def files_config(root: Path, **changes: Any) -> FilesConfig:
    base = {"root": root, "max_bytes": 4096, "signing_secret": b"s" * 32}
    return FilesConfig(**{**base, **changes})


@asynccontextmanager
async def files_harness(
    env: TenancyEnv, config: FilesConfig | None = None, storage: StorageBackend | None = None
) -> AsyncIterator[FilesHarness]:
    async with identity_harness(env) as identity:
        config = config or files_config(env.settings.data_dir / "files")
        deps = FilesDeps(config=config, storage=storage or LocalStorage(config.root))
        app = build_app(identity.runtime, deps)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://files") as client:
            yield FilesHarness(identity, client, deps, app)
