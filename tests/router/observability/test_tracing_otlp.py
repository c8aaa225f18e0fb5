"""OpenTelemetry spans of real requests through the router, exported over OTLP/HTTP to a real
local receiver: one trace per request continuing the caller's `traceparent`, with
`graphql.parse`/`graphql.validate`/`graphql.plan`/`subgraph.fetch` children of
`graphql.request`, and each subgraph request carrying its fetch span's `traceparent`."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import _paths  # noqa: F401 (sys.path for the shared stacks)
from otlp_receiver import ReceivedSpan, Receiver
from policystack import policy_stack, serve
from subscription_client import collect, connect, init, start_stack, subscribe
from subscription_servers import Recorder, accounts_app, events_app
from subscription_servers import serve as serve_any  # lifespan "auto": strawberry apps

from router.observability.hook import TracingHook

HOST = {"host": "acme.example.test"}
POLICIES = {"tenant": {"enabled": True, "base_domain": "example.test"}, "jwt": {"enabled": True}}
QUERY = "query Hello { hello users(first: 1) { id } }"
SERVER, CLIENT = 2, 3  # Span.SpanKind
ERROR = 2  # Status.StatusCode


def caller(sampled: bool = True) -> tuple[str, str, dict[str, str]]:
    trace_id, parent = os.urandom(16).hex(), os.urandom(8).hex()
    flags = "01" if sampled else "00"
    return trace_id, parent, {**HOST, "traceparent": f"00-{trace_id}-{parent}-{flags}"}


def by_name(spans: list[ReceivedSpan]) -> dict[str, ReceivedSpan]:
    named = {s.name: s for s in spans}
    assert len(named) == len(spans), [s.name for s in spans]
    return named


async def test_spans_of_real_requests_reach_an_otlp_receiver(tmp_path: Path) -> None:
    receiver = Receiver()
    async with serve(receiver.app()) as otlp:
        settings = {"otlp_endpoint": otlp, "otlp_service_name": "edge-router"}
        async with policy_stack(tmp_path, POLICIES, **settings) as stack:
            hooks = stack.app.state.router.hooks
            assert isinstance(hooks[0], TracingHook)  # first: its span covers the policies
            tracer = hooks[0].tracer

            first_trace, first_parent, headers = caller()
            response = await stack.post(QUERY, headers={**headers, "x-request-id": "req-t1"})
            assert response.json() == {"data": {"hello": "world", "users": [{"id": "1"}]}}
            first_sent = stack.log[-1]["headers"]["traceparent"]

            hit_trace, _, headers = caller()
            assert (await stack.post(QUERY, headers=headers)).status_code == 200

            bad_trace, _, headers = caller()
            assert "errors" in (await stack.post("{ nope }", headers=headers)).json()

            quiet_trace, quiet_parent, headers = caller(sampled=False)
            assert (await stack.post("{ hello }", headers=headers)).status_code == 200
            quiet_sent = stack.log[-1]["headers"]["traceparent"]

            assert (await stack.post("{ hello }", headers=HOST)).status_code == 200
            fresh_sent = stack.log[-1]["headers"]["traceparent"]

            refused_trace, _, headers = caller()
            headers = {**headers, "authorization": "Bearer forged", "x-request-id": "req-401"}
            assert (await stack.post("{ hello }", headers=headers)).status_code == 401

            assert await asyncio.to_thread(tracer.force_flush)  # the exporter's thread posts

    # 1. a full preparation: parse, validate, plan, one fetch, all children of the request
    spans = by_name(receiver.of_trace(first_trace))
    assert sorted(spans) == [
        "graphql.parse",
        "graphql.plan",
        "graphql.request",
        "graphql.validate",
        "subgraph.fetch",
    ]
    request = spans["graphql.request"]
    assert request.parent_span_id == first_parent  # the caller's span
    assert request.kind == SERVER
    assert request.service_name == "edge-router"
    assert request.attributes["graphql.operation.name"] == "Hello"
    assert request.attributes["graphql.operation.type"] == "query"
    assert request.attributes["router.tenant"] == "acme"
    assert request.attributes["router.request_id"] == "req-t1"
    for name in ("graphql.parse", "graphql.validate", "graphql.plan", "subgraph.fetch"):
        assert spans[name].parent_span_id == request.span_id, name
    assert spans["graphql.plan"].attributes["graphql.plan.cache_hit"] is False
    fetch = spans["subgraph.fetch"]
    assert fetch.kind == CLIENT
    assert fetch.attributes["router.subgraph.name"] == "a"
    assert fetch.attributes["http.response.status_code"] == 200
    assert fetch.status_code != ERROR
    # the subgraph was called with the fetch span as its parent
    assert first_sent == f"00-{first_trace}-{fetch.span_id}-01"

    # 2. the same operation again: a plan-cache hit, no parse or validate
    spans = by_name(receiver.of_trace(hit_trace))
    assert sorted(spans) == ["graphql.plan", "graphql.request", "subgraph.fetch"]
    assert spans["graphql.plan"].attributes["graphql.plan.cache_hit"] is True

    # 3. a validation error: the failing stage and the request carry the code, nothing fetched
    spans = by_name(receiver.of_trace(bad_trace))
    assert sorted(spans) == ["graphql.parse", "graphql.request", "graphql.validate"]
    for name in ("graphql.validate", "graphql.request"):
        assert spans[name].status_code == ERROR
        assert spans[name].attributes["graphql.error.code"] == "GRAPHQL_VALIDATION_FAILED"

    # 4. an unsampled caller: nothing exported, the subgraph still continues the trace unsampled
    assert receiver.of_trace(quiet_trace) == []
    assert quiet_sent.startswith(f"00-{quiet_trace}-")
    assert quiet_sent.endswith("-00")
    assert quiet_parent not in quiet_sent

    # 5. no traceparent: a new trace, sampled, rooted at the router
    fresh_trace = fresh_sent.split("-")[1]
    fresh = by_name(receiver.of_trace(fresh_trace))
    assert fresh["graphql.request"].parent_span_id == ""
    version, _, span_id, flags = fresh_sent.split("-")
    assert (version, span_id) == ("00", fresh["subgraph.fetch"].span_id)
    assert int(flags, 16) & 1  # sampled (the SDK may add the W3C level-2 "random" bit)
    assert receiver.requests >= 1

    # 6. refused by a policy: the request span alone, failed with the refusal's code
    spans = by_name(receiver.of_trace(refused_trace))
    assert sorted(spans) == ["graphql.request"]
    refused = spans["graphql.request"]
    assert refused.status_code == ERROR
    assert refused.attributes["graphql.error.code"] == "UNAUTHENTICATED"
    assert refused.attributes["router.request_id"] == "req-401"


async def test_subscription_set_up_is_one_trace(tmp_path: Path) -> None:
    """Over WebSocket: the `connection_init` probe leaves no span behind; each subscription's
    set-up is a `graphql.request` (type subscription) continuing the handshake's trace."""
    receiver = Receiver()
    events, accounts = Recorder(events_app()), Recorder(accounts_app())
    async with (
        serve(receiver.app()) as otlp,
        serve_any(events) as events_url,
        serve_any(accounts) as accounts_url,
    ):
        subgraphs = (f"{events_url}/", f"{accounts_url}/", events, accounts)
        async for stack in start_stack(subgraphs, otlp_endpoint=otlp):
            trace_id, parent, _ = caller()
            headers = {"traceparent": f"00-{trace_id}-{parent}-01"}
            async with await connect(stack, headers=headers) as ws:
                await init(ws)
                await subscribe(ws, "1", "subscription { ticker(count: 2, intervalMs: 5) }")
                assert len(await collect(ws, "1")) == 2
            tracer = stack.app.state.router.hooks[0].tracer
            assert await asyncio.to_thread(tracer.force_flush)
    spans = receiver.of_trace(trace_id)
    requests = [s for s in spans if s.name == "graphql.request"]
    assert len(requests) == 1  # the probe's span was dropped
    request = requests[0]
    assert request.parent_span_id == parent
    assert request.attributes["graphql.operation.type"] == "subscription"
    assert {s.name for s in spans} <= {
        "graphql.request",
        "graphql.plan",
        "graphql.parse",
        "graphql.validate",
    }
    assert all(s.parent_span_id == request.span_id for s in spans if s is not request)
    # no orphan: every exported span's parent is the caller's or an exported span
    ids = {s.span_id for s in receiver.spans} | {parent, ""}
    assert all(s.parent_span_id in ids for s in receiver.spans)
