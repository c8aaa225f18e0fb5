"""Wiring of the tickets subgraph: `build_schema()` and `build_app(runtime)`."""

from __future__ import annotations

import strawberry
from starlette.applications import Starlette

from subgraphs.kit.app import build_subgraph_app
from subgraphs.kit.federation import build_federated_schema
from subgraphs.kit.pubsub import PubSub
from subgraphs.kit.runtime import Runtime
from subgraphs.tickets import realtime
from subgraphs.tickets.deps import TicketsDeps
from subgraphs.tickets.resolvers import Mutation, Query, Subscription
from subgraphs.tickets.types import Ticket, User

NAME = "tickets"
PORT = 8004


def build_schema() -> strawberry.federation.Schema:
    return build_federated_schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Ticket, User],
    )


def build_app(runtime: Runtime, deps: TicketsDeps | None = None) -> Starlette:
    if deps is None:
        pubsub = runtime.extras.get("pubsub")
        deps = TicketsDeps(pubsub=pubsub if isinstance(pubsub, PubSub) else PubSub.from_env())
        runtime.extras["pubsub"] = deps.pubsub
    unsubscribe = realtime.install(deps.pubsub)
    app = build_subgraph_app(build_schema(), runtime, name=NAME, deps=deps)
    app.state.tickets_unsubscribe = unsubscribe
    return app
