"""The transport port: one request to one subgraph, one response back.

A `SubgraphClient` never raises for a failed request. Timeouts, refused connections, non-2xx
statuses and unreadable bodies come back as a `SubgraphResponse` whose `failure` says what went
wrong, so the executor turns every failure into located errors plus nulls the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

import orjson

Headers = tuple[tuple[str, str], ...]
_CORRELATION = frozenset({"x-request-id", "traceparent", "tracestate"})


class FailureKind(StrEnum):
    TIMEOUT = "TIMEOUT"
    CONNECT = "CONNECT"
    HTTP_STATUS = "HTTP_STATUS"
    INVALID_RESPONSE = "INVALID_RESPONSE"
    OTHER = "OTHER"


@dataclass(frozen=True, slots=True)
class SubgraphFailure:
    """Why a subgraph request produced no usable GraphQL response."""

    kind: FailureKind
    message: str
    status: int | None = None


@dataclass(frozen=True, slots=True)
class SubgraphRequest:
    """One HTTP request to a subgraph. `body` is the exact JSON bytes sent; `headers` are the
    propagated caller headers (authorization, tenant, ...), lower-case names."""

    service_name: str
    url: str
    body: bytes
    headers: Headers = ()
    is_mutation: bool = False

    @property
    def dedup_key(self) -> tuple[str, str, bytes, Headers]:
        """Everything that makes two requests differ: identical keys may share one answer.
        Correlation headers (request id, trace context) differ per request without changing
        the answer, so they are left out (the shared request carries the leader's)."""
        headers = self.headers
        if any(name in _CORRELATION for name, _ in headers):
            headers = tuple(h for h in headers if h[0] not in _CORRELATION)
        return (self.service_name, self.url, self.body, headers)


@dataclass(frozen=True, slots=True)
class SubgraphResponse:
    """A subgraph's answer. `raw` holds the body bytes so concurrent callers sharing one request
    each decode a private copy (the executor merges into what it decodes)."""

    raw: bytes = b""
    failure: SubgraphFailure | None = None
    status: int = 200

    def decode(self) -> dict[str, Any]:
        """The GraphQL response object; raises ValueError when the body is not one."""
        value = orjson.loads(self.raw)
        if not isinstance(value, dict):
            raise ValueError("subgraph response is not a JSON object")
        return value


class SubgraphClient(Protocol):
    """Sends requests to subgraphs. Implementations translate their own errors into
    `SubgraphResponse.failure` and never raise for a failed request."""

    async def execute(self, request: SubgraphRequest) -> SubgraphResponse: ...

    async def aclose(self) -> None: ...
