"""The uploads stack: the files subgraph and the router on uvicorn (ephemeral ports), the
router passing `/files/` through to the files subgraph."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from router.app import build_app as build_router
from router.compose.compose import compose
from router.compose.result import SubgraphSource
from router.config import RouterConfig
from router.routes_config import PassthroughRoute, UploadsConfig
from saas_platform.tenancy.testing import TenancyEnv, tenancy_env
from subgraphs.files.app import build_schema
from subgraphs.kit.federation import print_sdl
from tests.subgraphs.chat.servers import serve
from tests.subgraphs.files.harness import UPLOAD, FilesHarness, files_harness, multipart
from tests.subgraphs.identity.harness import Tenant

PREFLIGHT = {"apollo-require-preflight": "true"}


@dataclass
class Stack:
    fh: FilesHarness
    router: httpx.AsyncClient
    files_url: str
    router_url: str

    def headers(self, tenant: Tenant, **extra: str) -> dict[str, str]:
        return {
            "x-tenant-id": tenant.id,
            "authorization": f"Bearer {tenant.owner_token}",
            **PREFLIGHT,
            **extra,
        }

    async def upload(
        self, tenant: Tenant, name: str, data: bytes, content_type: str, query: str = UPLOAD
    ) -> httpx.Response:
        return await self.router.post(
            "/graphql", headers=self.headers(tenant), **multipart(query, name, data, content_type)
        )


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[TenancyEnv]:
    async with tenancy_env("sqlite", tmp_path / "data") as environment:
        yield environment


@pytest.fixture
async def stack(env: TenancyEnv) -> AsyncIterator[Stack]:
    async with files_harness(env) as fh, serve(fh.app) as files_host:
        source = SubgraphSource("files", f"http://{files_host}/graphql", print_sdl(build_schema()))
        result = compose([source])
        assert result.supergraph_sdl is not None, result.errors
        config = RouterConfig(
            hot_reload=False,
            request_timeout=30.0,  # a loaded CI machine must not fail the test
            uploads=UploadsConfig(max_request_bytes=65536, max_file_bytes=32768),
            passthrough_routes=(PassthroughRoute("/files/", "files"),),
            propagate_headers=("authorization", "x-tenant", "x-tenant-id", "x-request-id"),
        )
        app = build_router(config, supergraph_sdl=result.supergraph_sdl)
        async with (
            serve(app) as router_host,
            httpx.AsyncClient(base_url=f"http://{router_host}") as client,
        ):
            yield Stack(fh, client, f"http://{files_host}", f"http://{router_host}")
        await app.state.passthrough_client.aclose()  # uvicorn runs here without lifespan
