"""Wiring of the integrations subgraph: `build_schema()` and `build_app(runtime)`."""

from __future__ import annotations

import strawberry
from starlette.applications import Starlette

from subgraphs.integrations import events as _events  # noqa: F401  (registers event types)
from subgraphs.integrations.deps import IntegrationsDeps
from subgraphs.integrations.resolvers import Mutation, Query
from subgraphs.kit.app import build_subgraph_app
from subgraphs.kit.federation import build_federated_schema
from subgraphs.kit.runtime import Runtime

NAME = "integrations"
PORT = 8008


def build_schema() -> strawberry.federation.Schema:
    return build_federated_schema(query=Query, mutation=Mutation)


def build_app(runtime: Runtime, deps: IntegrationsDeps | None = None) -> Starlette:
    return build_subgraph_app(build_schema(), runtime, name=NAME, deps=deps or IntegrationsDeps())
