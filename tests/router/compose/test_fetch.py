"""`fetch_subgraph_sdl` asks a subgraph for `_service { sdl }` over HTTP."""

from __future__ import annotations

import json

import httpx
import pytest

import router.compose
from router.compose import SubgraphSource, fetch_subgraph_sdl
from router.compose.fetch import SubgraphFetchError

SDL = "type Query { x: Int }"


def _transport(status: int, body: object) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        assert "_service" in json.loads(request.content)["query"]
        return httpx.Response(status, json=body)

    return httpx.MockTransport(handle)


async def test_fetches_the_sdl() -> None:
    transport = _transport(200, {"data": {"_service": {"sdl": SDL}}})
    source = await fetch_subgraph_sdl("a", "http://a/graphql", transport=transport)
    assert source == SubgraphSource("a", "http://a/graphql", SDL)


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (500, {"errors": []}),
        (200, {"errors": [{"message": "no _service"}]}),
        (200, []),
        (200, ["x"]),
    ],
)
async def test_failures_raise_one_error_type(status: int, body: object) -> None:
    with pytest.raises(SubgraphFetchError, match="subgraph 'a'"):
        await fetch_subgraph_sdl("a", "http://a/graphql", transport=_transport(status, body))


def test_public_api() -> None:
    assert sorted(router.compose.__all__) == [
        "CompositionError",
        "CompositionResult",
        "Hint",
        "SubgraphFetchError",
        "SubgraphSource",
        "compose",
        "fetch_subgraph_sdl",
    ]
