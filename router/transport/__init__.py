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
from router.transport.pool import PooledHttpClient

__all__ = [
    "DedupClient",
    "FailureKind",
    "Headers",
    "HttpSubgraphClient",
    "HttpTimeouts",
    "PooledHttpClient",
    "SubgraphClient",
    "SubgraphFailure",
    "SubgraphRequest",
    "SubgraphResponse",
]
