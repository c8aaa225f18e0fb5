"""Wiring of the chat subgraph: `build_schema()` and `build_app(runtime)`."""

from __future__ import annotations

import strawberry
from starlette.applications import Starlette

from subgraphs.chat.deps import ChatDeps
from subgraphs.chat.presence import MemoryPresence, PresenceStore, RedisPresence
from subgraphs.chat.resolvers import Mutation, Query, Subscription
from subgraphs.chat.types.objects import File, Ticket, User
from subgraphs.kit.app import build_subgraph_app
from subgraphs.kit.federation import build_federated_schema
from subgraphs.kit.pubsub import PubSub
from subgraphs.kit.runtime import Runtime

NAME = "chat"
PORT = 8006


def build_schema() -> strawberry.federation.Schema:
    return build_federated_schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Ticket, User, File],
    )


def default_deps(runtime: Runtime) -> ChatDeps:
    """One pub/sub hub per process (shared with other subgraphs of the process)."""
    pubsub = runtime.extras.get("pubsub")
    if not isinstance(pubsub, PubSub):
        pubsub = runtime.extras["pubsub"] = PubSub.from_env()
    presence: PresenceStore = (
        RedisPresence(runtime.redis) if runtime.redis is not None else MemoryPresence()
    )
    return ChatDeps(pubsub=pubsub, presence=presence, open_tenant=runtime.tenants.session)  # type: ignore[arg-type]


def build_app(runtime: Runtime, deps: ChatDeps | None = None) -> Starlette:
    deps = deps or default_deps(runtime)
    if deps.open_tenant is None:
        deps.open_tenant = runtime.tenants.session  # type: ignore[assignment]
    return build_subgraph_app(build_schema(), runtime, name=NAME, deps=deps)
