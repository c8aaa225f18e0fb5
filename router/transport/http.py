"""Pooled keep-alive HTTP to subgraphs (httpx). httpx errors are translated here and only here."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from router.transport.base import (
    FailureKind,
    SubgraphFailure,
    SubgraphRequest,
    SubgraphResponse,
)

_BASE_HEADERS = {
    "content-type": "application/json",
    "accept": "application/graphql-response+json, application/json",
}


@dataclass(frozen=True, slots=True)
class HttpTimeouts:
    connect: float = 2.0
    read: float = 10.0


class HttpSubgraphClient:
    """One httpx connection pool shared by every subgraph request of the router."""

    def __init__(
        self,
        timeouts: HttpTimeouts | None = None,
        max_connections: int = 200,
        max_keepalive: int = 100,
    ) -> None:
        t = timeouts or HttpTimeouts()
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(t.read, connect=t.connect, pool=t.connect),
            limits=httpx.Limits(
                max_connections=max_connections,
                max_keepalive_connections=max_keepalive,
                keepalive_expiry=30.0,
            ),
            headers=_BASE_HEADERS,
            trust_env=False,
            follow_redirects=False,
        )

    async def execute(self, request: SubgraphRequest) -> SubgraphResponse:
        try:
            response = await self._client.post(
                request.url, content=request.body, headers=dict(request.headers)
            )
        except httpx.TimeoutException as exc:
            return _failed(FailureKind.TIMEOUT, f"subgraph timed out ({type(exc).__name__})")
        except httpx.ConnectError as exc:
            return _failed(FailureKind.CONNECT, f"cannot connect to subgraph: {exc}")
        except httpx.HTTPError as exc:
            return _failed(FailureKind.OTHER, f"subgraph request failed: {exc}")
        raw = response.content
        status = response.status_code
        if status >= 300 and not _is_graphql_body(response, raw):
            failure = SubgraphFailure(
                FailureKind.HTTP_STATUS, f"subgraph answered HTTP {status}", status
            )
            return SubgraphResponse(raw=raw, failure=failure, status=status)
        return SubgraphResponse(raw=raw, status=status)

    async def aclose(self) -> None:
        await self._client.aclose()


def _failed(kind: FailureKind, message: str) -> SubgraphResponse:
    return SubgraphResponse(failure=SubgraphFailure(kind, message), status=0)


def _is_graphql_body(response: httpx.Response, raw: bytes) -> bool:
    # graphql-response+json allows 4xx/5xx with a well-formed body carrying errors
    content_type = response.headers.get("content-type", "")
    return "graphql-response+json" in content_type and raw.lstrip().startswith(b"{")
