"""Fetch a subgraph's SDL over HTTP with the federation `_service { sdl }` query."""

from __future__ import annotations

import httpx

from router.compose.result import SubgraphSource

_QUERY = "query __ApolloGetServiceDefinition__ { _service { sdl } }"


def _dig(value: object, *keys: str) -> object:
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


class SubgraphFetchError(RuntimeError):
    """The subgraph did not answer `_service { sdl }` with an SDL string."""


async def fetch_subgraph_sdl(
    name: str,
    url: str,
    *,
    timeout: float = 5.0,  # noqa: ASYNC109 - httpx's per-request timeout, part of the API
    transport: httpx.AsyncBaseTransport | None = None,
) -> SubgraphSource:
    """POST `{ _service { sdl } }` to `url`; raises `SubgraphFetchError` on any failure."""
    try:
        async with httpx.AsyncClient(timeout=timeout, transport=transport) as client:
            response = await client.post(url, json={"query": _QUERY})
            response.raise_for_status()
            body = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise SubgraphFetchError(f"subgraph {name!r} at {url}: {exc}") from exc
    sdl = _dig(body, "data", "_service", "sdl")
    if not isinstance(sdl, str):
        errors = _dig(body, "errors")
        raise SubgraphFetchError(f"subgraph {name!r} at {url} returned no SDL: {errors!r}")
    return SubgraphSource(name=name, url=url, sdl=sdl)
