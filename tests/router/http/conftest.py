"""Real HTTP: two graphql-core subgraphs and the router, each on a loopback port."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from servers import accounts_app, reviews_app, serve, supergraph_sdl

from router.app import build_app
from router.config import RouterConfig


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


@pytest.fixture
async def subgraphs() -> AsyncIterator[tuple[str, str, list[Any], list[Any]]]:
    accounts_log: list[Any] = []
    reviews_log: list[Any] = []
    async with (
        serve(accounts_app(accounts_log)) as accounts,
        serve(reviews_app(reviews_log)) as reviews,
    ):
        yield f"{accounts}/", f"{reviews}/", accounts_log, reviews_log


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


@pytest.fixture
async def stack(
    subgraphs: tuple[str, str, list[Any], list[Any]], tmp_path: Path
) -> AsyncIterator[Stack]:
    async for value in start_router(
        subgraphs, tmp_path, propagate_headers=("authorization", "x-slow")
    ):
        yield value
