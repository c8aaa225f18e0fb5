"""Per-IP token buckets next to the per-tenant ones, in a real Redis; `X-Forwarded-For` is
believed only from configured trusted proxies, and then only right of the last trusted hop."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import redis
import websockets
from policystack import policy_stack
from websockets.typing import Subprotocol

from router.policies.clientip import ClientAddress
from router.subscriptions.auth import connection_request_headers

TENANTS = {"enabled": True, "base_domain": "example.test"}


def host(slug: str, **extra: str) -> dict[str, str]:
    return {"host": f"{slug}.example.test", **extra}


def rate(redis_url: str, prefix: str, **extra: Any) -> dict[str, Any]:
    return {
        "enabled": True,
        "capacity": 100,
        "refill_per_second": 0.01,
        "per_ip_capacity": 2,
        "per_ip_refill_per_second": 0.01,
        "redis_url": redis_url,
        "key_prefix": prefix,
        **extra,
    }


def limited_by(response: httpx.Response) -> str | None:
    if response.status_code != 429:
        return None
    extensions = response.json()["errors"][0]["extensions"]
    assert extensions["code"] == "RATE_LIMITED"
    return str(extensions["rateLimit"])


def redis_keys(redis_url: str, prefix: str) -> list[str]:
    with redis.Redis.from_url(redis_url) as client:
        return sorted(k.decode() for k in client.keys(f"{prefix}:*"))


@pytest.mark.redis
async def test_one_ip_is_limited_across_tenants(tmp_path: Path, redis_url: str) -> None:
    prefix = f"test:ip:{time.time_ns()}"
    policies = {"tenant": TENANTS, "rate_limit": rate(redis_url, prefix)}
    async with policy_stack(tmp_path, policies) as stack:
        first = await stack.post("{ hello }", headers=host("a"))
        assert first.status_code == 200
        # the headers describe the tighter bucket: the IP's (2), not the tenant's (100)
        assert first.headers["ratelimit-limit"] == "2"
        assert first.headers["ratelimit-remaining"] == "1"
        assert (await stack.post("{ hello }", headers=host("b"))).status_code == 200
        # a forged X-Forwarded-For is ignored without trusted proxies
        third = await stack.post("{ hello }", headers=host("c", **{"x-forwarded-for": "8.8.8.8"}))
        assert limited_by(third) == "ip"
        assert third.headers["retry-after"]
        assert third.headers["x-request-id"] == third.json()["errors"][0]["extensions"]["requestId"]
        assert redis_keys(redis_url, prefix) == [
            f"{prefix}:ip:127.0.0.1",
            f"{prefix}:t:a",
            f"{prefix}:t:b",
        ]  # the refused request took no token from tenant c
        metrics = (await stack.client.get("/metrics")).text
        assert 'router_rate_limit_rejections_total{tenant="c"} 1' in metrics


@pytest.mark.redis
async def test_trusted_proxy_forwarded_for(tmp_path: Path, redis_url: str) -> None:
    prefix = f"test:ip:{time.time_ns()}"
    settings = rate(redis_url, prefix, trusted_proxies=["127.0.0.0/8", "10.0.0.0/8"])
    async with policy_stack(tmp_path, {"tenant": TENANTS, "rate_limit": settings}) as stack:

        async def post(forwarded: str) -> httpx.Response:
            return await stack.post(
                "{ hello }", headers=host("a", **{"x-forwarded-for": forwarded})
            )

        assert (await post("1.1.1.1")).status_code == 200
        assert (await post("1.1.1.1, 10.0.0.7")).status_code == 200  # through a second proxy
        assert limited_by(await post("1.1.1.1")) == "ip"
        # a client prepending addresses still counts as itself (the right-most untrusted hop)
        assert limited_by(await post("2.2.2.2, 1.1.1.1")) == "ip"
        assert (await post("2.2.2.2")).status_code == 200
        assert redis_keys(redis_url, prefix) == [
            f"{prefix}:ip:1.1.1.1",
            f"{prefix}:ip:2.2.2.2",
            f"{prefix}:t:a",
        ]


async def test_memory_limiter_per_ip(tmp_path: Path) -> None:
    settings = {"enabled": True, "capacity": 100, "per_ip_capacity": 1}
    settings["per_ip_refill_per_second"] = 0.01  # type: ignore[assignment]
    async with policy_stack(tmp_path, {"rate_limit": settings}) as stack:
        assert (await stack.post("{ hello }")).status_code == 200
        assert limited_by(await stack.post("{ hello }")) == "ip"


def test_client_address_rules() -> None:
    off = ClientAddress(())
    assert off.resolve("10.0.0.1", {"x-forwarded-for": "1.2.3.4"}) == "10.0.0.1"
    assert off.resolve(None, {}) is None
    trusted = ClientAddress(("10.0.0.0/8", "192.168.1.1"))
    # an untrusted peer's header is ignored
    assert trusted.resolve("5.6.7.8", {"x-forwarded-for": "1.2.3.4"}) == "5.6.7.8"
    assert trusted.resolve("10.1.1.1", {"x-forwarded-for": "1.2.3.4"}) == "1.2.3.4"
    assert trusted.resolve("10.1.1.1", {"x-forwarded-for": "6.6.6.6, 1.2.3.4, 192.168.1.1"}) == (
        "1.2.3.4"
    )
    assert trusted.resolve("10.1.1.1", {}) == "10.1.1.1"
    # garbage written by a trusted hop: the nearest trusted address answers for it
    assert trusted.resolve("10.1.1.1", {"x-forwarded-for": "nonsense, 10.2.2.2"}) == "10.2.2.2"
    assert trusted.resolve("10.1.1.1", {"x-forwarded-for": "10.3.3.3"}) == "10.3.3.3"
    assert trusted.resolve("10.1.1.1", {"x-forwarded-for": "2001:db8::1"}) == "2001:db8::1"


async def test_websocket_and_sse_operations_count_per_ip(tmp_path: Path) -> None:
    settings: dict[str, Any] = {"enabled": True, "capacity": 100, "per_ip_capacity": 3}
    settings["per_ip_refill_per_second"] = 0.01
    async with policy_stack(tmp_path, {"rate_limit": settings}) as stack:
        url = "ws" + stack.url[4:] + "/graphql"
        async with websockets.connect(
            url, subprotocols=[Subprotocol("graphql-transport-ws")]
        ) as ws:

            async def ask(op_id: str) -> dict[str, Any]:
                await ws.send(
                    orjson.dumps(
                        {"id": op_id, "type": "subscribe", "payload": {"query": "{ hello }"}}
                    ).decode()
                )
                message: dict[str, Any] = orjson.loads(await ws.recv())
                return message

            await ws.send('{"type": "connection_init", "payload": {}}')
            assert orjson.loads(await ws.recv())["type"] == "connection_ack"  # a token: 1
            assert (await ask("1"))["payload"] == {"data": {"hello": "world"}}  # 2
            assert orjson.loads(await ws.recv())["type"] == "complete"
            assert (await ask("2"))["type"] == "next"  # 3
            assert orjson.loads(await ws.recv())["type"] == "complete"
            refused = await ask("3")
            assert refused["type"] == "error"
            assert refused["payload"][0]["extensions"]["rateLimit"] == "ip"
        # the same address over SSE shares the bucket
        sse = await stack.client.post(
            "/graphql", json={"query": "{ hello }"}, headers={"accept": "text/event-stream"}
        )
        assert '"rateLimit":"ip"' in sse.text


def test_a_websocket_payload_cannot_name_the_client_address() -> None:
    """Behind a trusted proxy, the address comes from the handshake's X-Forwarded-For (written
    by the proxy), never from the `connection_init` payload (written by the client)."""
    handshake = {"x-forwarded-for": "2.2.2.2"}
    payload = {"x-forwarded-for": "9.9.9.9", "headers": {"X-Forwarded-For": "8.8.8.8"}}
    merged = connection_request_headers(payload, handshake)
    assert merged["x-forwarded-for"] == "2.2.2.2"
    assert ClientAddress(("10.0.0.0/8",)).resolve("10.0.0.1", merged) == "2.2.2.2"
