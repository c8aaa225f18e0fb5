"""The pipeline without HTTP: caching, stage error codes, atomic supergraph swap, config."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import pytest
from graphql import DocumentNode

from router.config import ConfigError, RouterConfig, load_config
from router.pipeline import GraphQLRequest, RequestContext, Router
from router.plan import Fetch, QueryPlan
from router.transport.fake import FakeSubgraphClient, static

sys.path.insert(0, str(Path(__file__).parents[1] / "http"))
from servers import supergraph_sdl

SDL = supergraph_sdl("http://accounts/", "http://reviews/")
ME = {"data": {"me": {"name": "Ada"}}}


class CountingPlanner:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, supergraph: Any, document: DocumentNode, name: str | None) -> QueryPlan:
        self.calls += 1
        return QueryPlan(Fetch("accounts", "{ me { name } }"))


def make_router(client: FakeSubgraphClient, planner: Any = None, **settings: Any) -> Router:
    router = Router(RouterConfig(**settings), client, planner=planner or CountingPlanner())
    router.load(SDL)
    return router


async def test_prepared_operations_are_cached() -> None:
    planner = CountingPlanner()
    router = make_router(FakeSubgraphClient({"accounts": static(ME)}), planner)
    for _ in range(3):
        error, body = await router.handle(GraphQLRequest("{ me { name } }"), RequestContext())
        assert error is None
        assert body == {"data": {"me": {"name": "Ada"}}}
    assert planner.calls == 1


async def test_planning_failure_is_a_coded_error() -> None:
    class Failing(Exception):
        code = "UNSATISFIABLE"

    def planner(*_: Any) -> QueryPlan:
        raise Failing("cannot plan")

    router = make_router(FakeSubgraphClient(), planner)
    error, body = await router.handle(GraphQLRequest("{ me { name } }"), RequestContext())
    assert error is not None
    assert body["errors"][0]["extensions"] == {"code": "PLANNING_ERROR", "reason": "UNSATISFIABLE"}


async def test_introspection_can_be_switched_off() -> None:
    router = make_router(FakeSubgraphClient(), introspection=False)
    error, body = await router.handle(
        GraphQLRequest("{ __schema { queryType { name } } }"), RequestContext()
    )
    assert error is not None
    assert body["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"
    _, typename = await router.handle(GraphQLRequest("{ __typename }"), RequestContext())
    assert typename == {"data": {"__typename": "Query"}}


async def test_operation_name_is_required_with_several_operations() -> None:
    router = make_router(FakeSubgraphClient())
    query = "query A { me { name } } query B { me { id } }"
    _, body = await router.handle(GraphQLRequest(query), RequestContext())
    assert body["errors"][0]["extensions"]["code"] == "OPERATION_RESOLUTION_FAILURE"
    _, body = await router.handle(GraphQLRequest(query, "Z"), RequestContext())
    assert body["errors"][0]["extensions"]["code"] == "OPERATION_RESOLUTION_FAILURE"


async def test_in_flight_requests_keep_the_old_supergraph() -> None:
    client = FakeSubgraphClient({"accounts": static(ME)}, delay=0.2)
    router = make_router(client)
    old_state = router.state
    pending = asyncio.create_task(
        router.handle(GraphQLRequest("{ me { name } }"), RequestContext())
    )
    await asyncio.sleep(0.05)
    router.load(supergraph_sdl("http://moved/", "http://reviews/"))
    assert router.state is not old_state
    _, body = await pending
    assert body == {"data": {"me": {"name": "Ada"}}}
    assert client.requests[0].request.url == "http://accounts/"
    await router.handle(GraphQLRequest("{ me { name } }"), RequestContext())
    assert client.requests[1].request.url == "http://moved/"


async def test_client_variable_defaults_reach_the_subgraph() -> None:
    client = FakeSubgraphClient({"accounts": static(ME)})

    def planner(*_: Any) -> QueryPlan:
        return QueryPlan(
            Fetch("accounts", "query($id: ID!) { me { name } }", variable_usages=("id",))
        )

    router = make_router(client, planner)
    query = 'mutation($id: ID! = "7") { rename(id: $id, name: "x") { name } }'
    await router.handle(GraphQLRequest(query), RequestContext())
    assert client.requests[0].body["variables"] == {"id": "7"}


def test_config_from_yaml_env_and_overrides(tmp_path: Path) -> None:
    path = tmp_path / "router.yaml"
    path.write_text("port: 5000\nintrospection: false\npropagate-headers: [Authorization]\n")
    env = {"ROUTER_PORT": "6000", "ROUTER_SUBGRAPH_URLS": "a=http://x/,b=http://y/"}
    config = load_config(path, env=env, host="0.0.0.0")
    assert config.port == 6000
    assert config.introspection is False
    assert config.propagate_headers == ("authorization",)
    assert config.subgraph_urls == {"a": "http://x/", "b": "http://y/"}
    assert config.host == "0.0.0.0"
    with pytest.raises(ConfigError):
        load_config(env={"ROUTER_PORT": "many"})
    bad = tmp_path / "bad.yaml"
    bad.write_text("nope: 1\n")
    with pytest.raises(ConfigError):
        load_config(bad, env={})


async def test_hooks_see_requests_and_may_refuse_them() -> None:
    from router.pipeline import PreparedOperation, RequestError, RouterHook

    class Refuse(RouterHook):
        def __init__(self) -> None:
            self.seen: list[str] = []

        async def on_request(self, request: GraphQLRequest, context: RequestContext) -> None:
            if "authorization" not in dict(context.headers):
                raise RequestError("Unauthenticated.", "UNAUTHENTICATED", 401, 401)

        def on_prepared(self, prepared: PreparedOperation, context: RequestContext) -> None:
            self.seen.append(prepared.operation.operation.value)

    hook = Refuse()
    router = Router(
        RouterConfig(),
        FakeSubgraphClient({"accounts": static(ME)}),
        hooks=[hook],
        planner=CountingPlanner(),
    )
    router.load(SDL)
    error, body = await router.handle(GraphQLRequest("{ me { name } }"), RequestContext())
    assert error is not None
    assert error.status == 401
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    context = RequestContext(headers=(("authorization", "Bearer x"),))
    error, body = await router.handle(GraphQLRequest("{ me { name } }"), context)
    assert error is None
    assert hook.seen == ["query"]


async def test_a_router_bug_is_a_graphql_error_not_a_crash() -> None:
    from router.plan import Flatten, Sequence

    def planner(*_: Any) -> QueryPlan:
        return QueryPlan(Flatten(("me",), Sequence(())))  # not a valid plan shape

    router = make_router(FakeSubgraphClient(), planner)
    error, body = await router.handle(GraphQLRequest("{ me { name } }"), RequestContext())
    assert error is not None
    assert error.status == 500
    assert body == {
        "errors": [
            {"message": "Internal router error.", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}
        ]
    }
