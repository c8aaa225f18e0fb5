"""The router-over-two-subgraphs test stack (imported by tests as a module, never through
`conftest`, whose module name is not unique across the suite)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from router.app import build_app
from router.config import RouterConfig
from tests.router.http.servers import serve, supergraph_sdl


@dataclass
class Stack:
    router: httpx.AsyncClient
    accounts_url: str
    reviews_url: str
    supergraph: Path
    accounts_log: list[dict[str, Any]] = field(default_factory=list)
    reviews_log: list[dict[str, Any]] = field(default_factory=list)

    async def post(self, query: str, **kwargs: Any) -> httpx.Response:
        headers = kwargs.pop("headers", {})
        body: dict[str, Any] = {"query": query, **kwargs}
        return await self.router.post("/graphql", json=body, headers=headers)


async def start_router(
    subgraphs: tuple[str, str, list[Any], list[Any]], tmp_path: Path, **settings: Any
) -> AsyncIterator[Stack]:
    accounts, reviews, accounts_log, reviews_log = subgraphs
    path = tmp_path / "supergraph.graphql"
    path.write_text(supergraph_sdl(accounts, reviews))
    settings.setdefault("request_timeout", 5.0)
    config = RouterConfig(supergraph=path, **settings)
    async with (
        serve(build_app(config)) as url,
        httpx.AsyncClient(base_url=url, timeout=10) as client,
    ):
        yield Stack(client, accounts, reviews, path, accounts_log, reviews_log)
