"""Federation helpers: one federation version for every subgraph, SDL printing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import strawberry
from strawberry.extensions import SchemaExtension

from subgraphs.kit.graphql_errors import KitErrorsExtension

# accepted by strawberry 0.341 and by @theguild/federation-composition
FEDERATION_VERSION = "2.7"

__all__ = ["FEDERATION_VERSION", "build_federated_schema", "print_sdl"]


def build_federated_schema(
    *,
    query: type[Any],
    mutation: type[Any] | None = None,
    subscription: type[Any] | None = None,
    types: Iterable[type[Any]] = (),
    extensions: Sequence[type[SchemaExtension] | SchemaExtension] = (),
) -> strawberry.federation.Schema:
    """A federation subgraph schema with the kit's error handling and session lifecycle."""
    # local import: app.py imports this module
    from subgraphs.kit.app import RequestSessionsExtension

    all_extensions: list[Any] = [RequestSessionsExtension, KitErrorsExtension, *extensions]
    return strawberry.federation.Schema(
        query=query,
        mutation=mutation,
        subscription=subscription,
        types=list(types),
        extensions=all_extensions,
        federation_version=FEDERATION_VERSION,  # type: ignore[arg-type]
    )


def print_sdl(schema: strawberry.federation.Schema) -> str:
    """The SDL a router composes (what `_service { sdl }` returns)."""
    return schema.as_str()
