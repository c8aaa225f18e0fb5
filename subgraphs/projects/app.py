"""Wiring of the projects subgraph: `build_schema()` and `build_app(runtime)`."""

from __future__ import annotations

import strawberry
from starlette.applications import Starlette
from strawberry.tools import merge_types

from subgraphs.kit.app import build_subgraph_app
from subgraphs.kit.events import local_hub
from subgraphs.kit.federation import build_federated_schema
from subgraphs.kit.pubsub import PubSub
from subgraphs.kit.runtime import Runtime
from subgraphs.projects import events as _events  # noqa: F401  (registers event types)
from subgraphs.projects.deps import ProjectsDeps
from subgraphs.projects.realtime import PubSubBoardFeed, attach_feed
from subgraphs.projects.resolvers.projects import ProjectMutations
from subgraphs.projects.resolvers.queries import Query
from subgraphs.projects.resolvers.subscriptions import Subscription
from subgraphs.projects.resolvers.tasks import TaskMutations
from subgraphs.projects.resolvers.time import TimeMutations
from subgraphs.projects.types.tasks import Project, Task, Ticket, User

NAME = "projects"
PORT = 8005

Mutation = merge_types("Mutation", (ProjectMutations, TaskMutations, TimeMutations))


def build_schema() -> strawberry.federation.Schema:
    return build_federated_schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Project, Task, User, Ticket],
    )


def build_app(runtime: Runtime, deps: ProjectsDeps | None = None) -> Starlette:
    if deps is None:  # share the process's pub/sub with the other subgraphs (as tickets does)
        pubsub = runtime.extras.get("pubsub")
        if not isinstance(pubsub, PubSub):
            pubsub = runtime.extras["pubsub"] = PubSub.from_env()
        deps = ProjectsDeps(feed=PubSubBoardFeed(pubsub))
    detach = attach_feed(deps.feed, local_hub)
    app = build_subgraph_app(build_schema(), runtime, name=NAME, deps=deps)
    app.state.projects_detach_feed = detach
    return app
