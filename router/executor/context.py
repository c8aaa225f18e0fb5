"""What one plan execution needs besides the plan: transport, subgraph URLs, caller headers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLSchema

from router.transport import Headers, SubgraphClient

# extensions.code values the executor writes
SUBGRAPH_REQUEST_FAILED = "SUBGRAPH_REQUEST_FAILED"
DOWNSTREAM_SERVICE_ERROR = "DOWNSTREAM_SERVICE_ERROR"
INVALID_RESPONSE = "SUBREQUEST_MALFORMED_RESPONSE"
NON_NULL_VIOLATION = "NON_NULL_VIOLATION"


@dataclass(slots=True)
class ExecutionContext:
    """Per-request inputs of the executor. `headers` (lower-case names) are sent with every
    subgraph request and are part of the in-flight dedup key."""

    client: SubgraphClient
    subgraph_urls: Mapping[str, str]
    schema: GraphQLSchema
    headers: Headers = ()


@dataclass(slots=True)
class ExecutionState:
    """The response being built by one execution."""

    context: ExecutionContext
    variables: Mapping[str, Any]  # raw client values, forwarded to subgraphs
    conditions: Mapping[str, Any]  # coerced values, for Condition nodes
    data: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
