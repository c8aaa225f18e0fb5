"""Wiring of the notifications subgraph: `build_schema()` and `build_app(runtime)`."""

from __future__ import annotations

import strawberry
from starlette.applications import Starlette

from subgraphs.kit.app import build_subgraph_app
from subgraphs.kit.federation import build_federated_schema
from subgraphs.kit.pubsub import PubSub
from subgraphs.kit.runtime import Runtime
from subgraphs.notifications.deps import NotificationsDeps, process_pubsub
from subgraphs.notifications.resolvers import Mutation, Query, Subscription

NAME = "notifications"
PORT = 8007


def build_schema() -> strawberry.federation.Schema:
    return build_federated_schema(query=Query, mutation=Mutation, subscription=Subscription)


def default_deps(runtime: Runtime) -> NotificationsDeps:
    """One pub/sub hub per process (shared with other subgraphs of the process)."""
    pubsub = runtime.extras.get("pubsub")
    if not isinstance(pubsub, PubSub):
        pubsub = runtime.extras["pubsub"] = process_pubsub()
    return NotificationsDeps(pubsub=process_pubsub(pubsub))


def build_app(runtime: Runtime, deps: NotificationsDeps | None = None) -> Starlette:
    return build_subgraph_app(
        build_schema(), runtime, name=NAME, deps=deps or default_deps(runtime)
    )
