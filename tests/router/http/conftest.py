"""Real HTTP: two graphql-core subgraphs and the router, each on a loopback port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.router.http.servers import accounts_app, reviews_app, serve
from tests.router.http.stack import Stack, start_router


@pytest.fixture
async def subgraphs() -> AsyncIterator[tuple[str, str, list[Any], list[Any]]]:
    accounts_log: list[Any] = []
    reviews_log: list[Any] = []
    async with (
        serve(accounts_app(accounts_log)) as accounts,
        serve(reviews_app(reviews_log)) as reviews,
    ):
        yield f"{accounts}/", f"{reviews}/", accounts_log, reviews_log


@pytest.fixture
async def stack(
    subgraphs: tuple[str, str, list[Any], list[Any]], tmp_path: Path
) -> AsyncIterator[Stack]:
    async for value in start_router(
        subgraphs, tmp_path, propagate_headers=("authorization", "x-slow")
    ):
        yield value
