"""Transport: how the executor talks to subgraphs (one protocol, several implementations)."""

from router.transport.base import (
    FailureKind,
    Headers,
    SubgraphClient,
    SubgraphFailure,
    SubgraphRequest,
    SubgraphResponse,
)
from router.transport.dedup import DedupClient
from router.transport.http import HttpSubgraphClient, HttpTimeouts

__all__ = [
    "DedupClient",
    "FailureKind",
    "Headers",
    "HttpSubgraphClient",
    "HttpTimeouts",
    "SubgraphClient",
    "SubgraphFailure",
    "SubgraphRequest",
    "SubgraphResponse",
]
