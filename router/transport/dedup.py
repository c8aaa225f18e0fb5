"""In-flight deduplication: identical concurrent subgraph queries share one request.

The key is the whole request (`SubgraphRequest.dedup_key`: subgraph, URL, exact body bytes and
every propagated header, auth and tenant included), so callers with different credentials never
share an answer. Mutations are never shared. Only the raw bytes are shared; each caller decodes
its own copy.
"""

from __future__ import annotations

import asyncio

from router.transport.base import (
    FailureKind,
    Headers,
    SubgraphClient,
    SubgraphFailure,
    SubgraphRequest,
    SubgraphResponse,
)

_Key = tuple[str, str, bytes, Headers]


class DedupClient:
    """Wraps a `SubgraphClient`, sharing identical in-flight queries."""

    def __init__(self, inner: SubgraphClient) -> None:
        self._inner = inner
        self._in_flight: dict[_Key, asyncio.Future[SubgraphResponse]] = {}
        self.shared = 0  # requests answered by another caller's request (metrics, tests)

    async def execute(self, request: SubgraphRequest) -> SubgraphResponse:
        if request.is_mutation:
            return await self._inner.execute(request)
        key = request.dedup_key
        pending = self._in_flight.get(key)
        if pending is not None:
            self.shared += 1
            return await asyncio.shield(pending)
        future: asyncio.Future[SubgraphResponse] = asyncio.get_running_loop().create_future()
        self._in_flight[key] = future
        try:
            response = await self._inner.execute(request)
        except BaseException as exc:
            # waiters get a failure value, never the leader's cancellation or bug
            failure = SubgraphFailure(FailureKind.OTHER, f"shared subgraph request failed: {exc!r}")
            future.set_result(SubgraphResponse(failure=failure, status=0))
            raise
        else:
            future.set_result(response)
            return response
        finally:
            del self._in_flight[key]

    async def aclose(self) -> None:
        await self._inner.aclose()
