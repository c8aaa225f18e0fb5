"""`parse_supergraph`: supergraph SDL -> `Supergraph`."""

from __future__ import annotations

from types import MappingProxyType

from graphql import DocumentNode, GraphQLError, GraphQLSchema, build_ast_schema, parse

from router.supergraph.api_schema import build_api_schema, feature_owned_names
from router.supergraph.errors import SupergraphError
from router.supergraph.joins import read_graphs, read_types
from router.supergraph.links import CONTEXT, JOIN, read_features
from router.supergraph.model import Supergraph


def parse_supergraph(sdl: str) -> Supergraph:
    """Read a supergraph SDL (link v1.0 + join v0.3 to v0.5).

    Raises `SupergraphError` with a stable `code` for an unparseable or invalid document, a
    missing or unsupported join/link version, and a feature linked `for: SECURITY` or
    `for: EXECUTION` that this router does not implement."""
    document = _parse(sdl)
    features = read_features(document)
    join = features[JOIN]
    graphs = read_graphs(document, join)
    _, owned_types = feature_owned_names(document, features)
    types = read_types(document, join, graphs, owned_types, features.get(CONTEXT))
    return Supergraph(
        sdl=sdl,
        api_schema=build_api_schema(document, features),
        schema=_full_schema(document),
        subgraphs=MappingProxyType({info.name: info for info in graphs.values()}),
        types=MappingProxyType(types),
        graph_order=tuple(info.name for info in graphs.values()),
        features=MappingProxyType(features),
    )


def _parse(sdl: str) -> DocumentNode:
    try:
        return parse(sdl, no_location=True)
    except GraphQLError as exc:
        raise SupergraphError("INVALID_SUPERGRAPH", f"cannot parse: {exc.message}") from exc


def _full_schema(document: DocumentNode) -> GraphQLSchema:
    try:
        return build_ast_schema(document, assume_valid_sdl=True)
    except (GraphQLError, TypeError) as exc:
        raise SupergraphError("INVALID_SUPERGRAPH", f"invalid supergraph schema: {exc}") from exc
