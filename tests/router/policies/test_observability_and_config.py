"""/metrics exposition, JSON logs with request id and tenant, the tracing seam, configuration
(YAML + env overrides, the example file, the production profile)."""

from __future__ import annotations

import dataclasses
import logging
import re
from pathlib import Path

import orjson
import pytest
import yaml
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from policystack import policy_stack

from router.config import ConfigError, RouterConfig, load_config
from router.observability import JsonFormatter, bind_log_context, build_tracer, tracing
from router.observability.metrics import Registry
from router.policies.config import PoliciesConfig

ROOT = Path(__file__).resolve().parents[3]


async def test_metrics_endpoint(tmp_path: Path) -> None:
    tenants = {"enabled": True, "base_domain": "example.test"}
    async with policy_stack(tmp_path, {"tenant": tenants}) as stack:
        headers = {"host": "acme.example.test"}
        await stack.post("query Hello { hello }", headers=headers)
        await stack.post("query Hello { hello }", headers=headers)
        await stack.post("{ nope }", headers=headers)
        response = await stack.client.get("/metrics")
        assert response.headers["content-type"].startswith("text/plain")
        text = response.text
        assert 'router_requests_total{operation="Hello",tenant="acme"} 2' in text
        assert 'router_request_duration_seconds_count{operation="Hello"} 2' in text
        assert 'router_subgraph_fetch_duration_seconds_count{subgraph="a"} 2' in text
        assert 'router_errors_total{code="GRAPHQL_VALIDATION_FAILED"} 1' in text
        assert 'router_plan_cache_total{result="hit"} 1' in text
        assert "router_active_subscriptions" in text


def test_bounded_labels_and_histogram_format() -> None:
    registry = Registry()
    counter = registry.counter("c_total", "help", ("tenant",), max_series=2)
    for tenant in ("a", "b", "c", "d"):
        counter.inc(tenant)
    assert counter.values == {("a",): 1.0, ("b",): 1.0, ("other",): 2.0}
    histogram = registry.histogram("h_seconds", "help", (), buckets=(0.1, 1.0))
    histogram.observe(0.05)
    histogram.observe(0.5)
    histogram.observe(5.0)
    text = registry.render()
    assert 'h_seconds_bucket{le="0.1"} 1' in text
    assert 'h_seconds_bucket{le="1"} 2' in text
    assert 'h_seconds_bucket{le="+Inf"} 3' in text
    assert "h_seconds_count 3" in text


def test_json_logs_carry_request_id_and_tenant() -> None:
    bind_log_context("req-42", "acme")
    record = logging.LogRecord("router", logging.WARNING, __file__, 1, "hello %s", ("x",), None)
    entry = orjson.loads(JsonFormatter().format(record))
    assert entry["message"] == "hello x"
    assert entry["request_id"] == "req-42"
    assert entry["tenant"] == "acme"
    assert "trace_id" not in entry
    # with tracing on, the active request span names the trace
    tracer = tracing.RouterTracer(InMemorySpanExporter())
    span = tracer.start_request({"traceparent": f"00-{'ab' * 16}-{'cd' * 8}-01"})
    tracing.activate(tracer, span)
    try:
        entry = orjson.loads(JsonFormatter().format(record))
    finally:
        tracing.deactivate()
        bind_log_context(None, None)
        tracer.shutdown()
    assert entry["trace_id"] == "ab" * 16
    assert entry["span_id"] == format(span.get_span_context().span_id, "016x")


def test_tracing_is_off_without_endpoint() -> None:
    assert build_tracer("") is None
    with tracing.stage("graphql.parse") as span:  # no active request span: nothing happens
        assert span is None
    assert tracing.traces_url("http://c:4318") == "http://c:4318/v1/traces"
    assert tracing.traces_url("http://c:4318/custom") == "http://c:4318/custom"
    config = load_config(
        env={"ROUTER_OTLP_ENDPOINT": "http://c:4318", "ROUTER_OTLP_HEADERS": "a=b"}
    )
    assert (config.otlp_endpoint, dict(config.otlp_headers)) == ("http://c:4318", {"a": "b"})


def test_example_file_loads_and_env_overrides(tmp_path: Path) -> None:
    env = {
        "ROUTER_PROFILE": "production",
        "ROUTER_POLICIES__JWT__JWKS_URL": "http://idp/jwks.json",
        "ROUTER_POLICIES__RATE_LIMIT__CAPACITY": "7",
        "ROUTER_POLICIES__HEADERS__RENAME": "a=b,c=d",
    }
    config = load_config(ROOT / "router.example.yaml", env=env)
    assert config.profile == "production"
    assert config.policies.jwt.jwks_url == "http://idp/jwks.json"
    assert config.policies.rate_limit.capacity == 7
    assert config.policies.headers.rename == {"a": "b", "c": "d"}
    # the example sets the development values explicitly; they win over the profile
    assert config.introspection is True
    bare = load_config(env={"ROUTER_PROFILE": "production"})
    assert (bare.introspection, bare.graphiql, bare.csrf) == (False, False, True)
    with pytest.raises(ConfigError):
        load_config(env={"ROUTER_POLICIES__JWT__NOPE": "1"})
    path = tmp_path / "bad.yaml"
    path.write_text("policies:\n  cost:\n    max_cost: lots\n")
    with pytest.raises(ConfigError):
        load_config(path, env={})


def test_every_option_is_documented_and_in_the_example() -> None:
    """docs/router.md names every setting (in a code span) and router.example.yaml sets it."""
    doc = (ROOT / "docs" / "router.md").read_text()
    spans = re.findall(r"`([^`\n]+)`", doc)  # the code spans, in order
    example = yaml.safe_load((ROOT / "router.example.yaml").read_text())
    for option in dataclasses.fields(RouterConfig):
        assert f"`{option.name}`" in doc, option.name
        assert option.name in example, option.name
    for section in dataclasses.fields(PoliciesConfig):
        factory: object = section.default_factory
        assert callable(factory)
        for option in dataclasses.fields(factory()):
            word = re.compile(rf"\b{option.name}\b")
            assert any(word.search(span) for span in spans), f"{section.name}.{option.name}"
            assert option.name in example["policies"][section.name], option.name
