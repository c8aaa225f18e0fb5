"""The supergraph: a composed schema plus the join metadata saying which subgraph resolves what.

`parse_supergraph(sdl)` reads a supergraph written by Apollo's or The Guild's composition (or
ours) into a `Supergraph`: the client-facing `api_schema`, the subgraphs with their URLs, and
per-type/per-field join metadata the planner reads.
"""

from router.supergraph.errors import SupergraphError
from router.supergraph.model import (
    ContextArgument,
    FieldMeta,
    JoinField,
    JoinType,
    SubgraphInfo,
    Supergraph,
    TypeMeta,
)
from router.supergraph.parse import parse_supergraph

__all__ = [
    "ContextArgument",
    "FieldMeta",
    "JoinField",
    "JoinType",
    "SubgraphInfo",
    "Supergraph",
    "SupergraphError",
    "TypeMeta",
    "parse_supergraph",
]
