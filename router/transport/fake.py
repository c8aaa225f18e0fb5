"""A scripted `SubgraphClient` for tests: handlers per subgraph, every request recorded."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson

from router.transport.base import FailureKind, SubgraphFailure, SubgraphRequest, SubgraphResponse

# A handler gets the decoded body ({"query", "variables", ...}) and returns a GraphQL response
# object or a failure.
Handler = Callable[[dict[str, Any]], Awaitable[dict[str, Any] | SubgraphFailure]]


@dataclass
class RecordedRequest:
    request: SubgraphRequest
    body: dict[str, Any]


class FakeSubgraphClient:
    """Answers through per-subgraph handlers; unknown subgraphs get a CONNECT failure."""

    def __init__(self, handlers: dict[str, Handler] | None = None, delay: float = 0.0) -> None:
        self.handlers: dict[str, Handler] = dict(handlers or {})
        self.requests: list[RecordedRequest] = []
        self.delay = delay

    async def execute(self, request: SubgraphRequest) -> SubgraphResponse:
        body = orjson.loads(request.body)
        self.requests.append(RecordedRequest(request, body))
        if self.delay:
            await asyncio.sleep(self.delay)
        handler = self.handlers.get(request.service_name)
        if handler is None:
            failure = SubgraphFailure(FailureKind.CONNECT, "no such subgraph")
            return SubgraphResponse(failure=failure, status=0)
        result = await handler(body)
        if isinstance(result, SubgraphFailure):
            return SubgraphResponse(failure=result, status=result.status or 0)
        return SubgraphResponse(raw=orjson.dumps(result))

    def for_service(self, name: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.request.service_name == name]

    async def aclose(self) -> None:
        return None


def static(response: dict[str, Any]) -> Handler:
    """A handler always answering `response`."""

    async def handler(_: dict[str, Any]) -> dict[str, Any]:
        return response

    return handler
