"""Federation helpers: one federation version for every subgraph, SDL printing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from subgraphs.kit.errors import DomainError
from subgraphs.kit.graphql_errors import KitErrorsExtension

# accepted by strawberry 0.341 and by @theguild/federation-composition
FEDERATION_VERSION = "2.7"

__all__ = ["FEDERATION_VERSION", "KitSchema", "build_federated_schema", "print_sdl"]


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
    return KitSchema(
        query=query,
        mutation=mutation,
        subscription=subscription,
        types=list(types),
        extensions=all_extensions,
        federation_version=FEDERATION_VERSION,  # type: ignore[arg-type]
    )


class KitSchema(strawberry.federation.Schema):
    """Expected failures (DomainErrors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, ...) are answers,
    not incidents: strawberry's error log (with a traceback) is kept for unexpected errors."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        unexpected = [e for e in errors if not isinstance(e.original_error, DomainError)]
        if unexpected:
            super().process_errors(unexpected, execution_context)


def print_sdl(schema: strawberry.federation.Schema) -> str:
    """The SDL a router composes (what `_service { sdl }` returns)."""
    return schema.as_str()
