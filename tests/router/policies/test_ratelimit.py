"""Per-tenant token buckets: in memory and in Redis (a throwaway redis-server on an ephemeral
port, started and killed by pid by these tests, never the shared one), one Redis round trip per
request for the per-IP and tenant buckets together, and what happens when Redis is killed
mid-load and comes back (fail open or closed, as configured)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import orjson
import pytest
import websockets
from policystack import policy_stack
from redisproc import throwaway_redis
from websockets.typing import Subprotocol

TENANTS = {"enabled": True, "base_domain": "example.test"}


def host(slug: str) -> dict[str, str]:
    return {"host": f"{slug}.example.test"}


async def _tenant_a_limited_b_not(stack: object, post: object) -> None:
    s = stack
    for _ in range(3):
        response = await s.post("{ hello }", headers=host("a"))  # type: ignore[attr-defined]
        assert response.status_code == 200
        assert response.headers["ratelimit-limit"] == "3"
    limited = await s.post("{ hello }", headers=host("a"))  # type: ignore[attr-defined]
    assert limited.status_code == 429
    assert limited.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert limited.headers["ratelimit-remaining"] == "0"
    assert int(limited.headers["ratelimit-reset"]) >= 1
    assert "retry-after" in limited.headers
    other = await s.post("{ hello }", headers=host("b"))  # type: ignore[attr-defined]
    assert other.status_code == 200
    assert other.headers["ratelimit-remaining"] == "2"


async def test_memory_limiter_per_tenant(tmp_path: Path) -> None:
    rate = {"enabled": True, "capacity": 3, "refill_per_second": 0.01}
    async with policy_stack(tmp_path, {"tenant": TENANTS, "rate_limit": rate}) as stack:
        await _tenant_a_limited_b_not(stack, stack.post)
        metrics = (await stack.client.get("/metrics")).text
        assert 'router_rate_limit_rejections_total{tenant="a"} 1' in metrics


@pytest.mark.redis
async def test_redis_limiter_per_tenant(tmp_path: Path) -> None:
    rate = {
        "enabled": True,
        "capacity": 3,
        "refill_per_second": 0.01,
        "key_prefix": f"test:{time.time_ns()}",
    }
    with throwaway_redis() as server:
        rate["redis_url"] = server.url
        async with policy_stack(tmp_path, {"tenant": TENANTS, "rate_limit": rate}) as stack:
            await _tenant_a_limited_b_not(stack, stack.post)
            with server.client() as client:
                keys = client.keys(f"{rate['key_prefix']}:t:*")
            assert sorted(keys) == [
                f"{rate['key_prefix']}:t:a".encode(),
                f"{rate['key_prefix']}:t:b".encode(),
            ]


# commands a client sends (the script's own HMGET/HSET/... are counted by Redis too)
SENT_BY_CLIENTS = ("cmdstat_eval", "cmdstat_script", "cmdstat_multi", "cmdstat_exec")


@pytest.mark.redis
async def test_ip_and_tenant_buckets_cost_one_redis_round_trip(tmp_path: Path) -> None:
    rate = {
        "enabled": True,
        "capacity": 10,
        "refill_per_second": 0.01,
        "per_ip_capacity": 5,
        "per_ip_refill_per_second": 0.01,
        "key_prefix": "rt",
    }
    with throwaway_redis() as server:
        rate["redis_url"] = server.url
        async with policy_stack(tmp_path, {"tenant": TENANTS, "rate_limit": rate}) as stack:
            await stack.post("{ hello }", headers=host("a"))  # loads the script
            with server.client() as client:
                client.config_resetstat()
            statuses = [(await stack.post("{ hello }", headers=host("a"))).status_code]
            statuses += [(await stack.post("{ hello }", headers=host("b"))).status_code]
            for _ in range(3):  # the address's bucket (5) runs out: tenant b keeps 7 of 10
                statuses.append((await stack.post("{ hello }", headers=host("b"))).status_code)
            with server.client() as client:
                stats = client.info("commandstats")
                b_tokens = float(client.hget("rt:t:b", "tokens") or -1)
            sent = {k: v["calls"] for k, v in stats.items() if k.startswith(SENT_BY_CLIENTS)}
            assert statuses == [200, 200, 200, 200, 429]
            assert sent == {"cmdstat_evalsha": 5}  # one script call per request, both buckets
            assert stats["cmdstat_hmget"]["calls"] == 4 * 2 + 1  # the refusal stopped at the IP
            assert 6.9 < b_tokens < 7.1  # the refused address took no token from its tenant


@pytest.mark.redis
@pytest.mark.parametrize("fail_open", [True, False])
async def test_redis_killed_mid_load_and_restarted(tmp_path: Path, fail_open: bool) -> None:
    rate = {
        "enabled": True,
        "capacity": 100_000,
        "refill_per_second": 1000,
        "per_ip_capacity": 100_000,
        "per_ip_refill_per_second": 1000,
        "fail_open": fail_open,
        "key_prefix": "kill",
    }
    with throwaway_redis() as server:
        rate["redis_url"] = server.url
        async with policy_stack(tmp_path, {"tenant": TENANTS, "rate_limit": rate}) as stack:
            # (phase, status, answered with RateLimit-* headers: Redis decided)
            seen: list[tuple[str, int, bool]] = []
            phase = "up"
            stop = asyncio.Event()

            async def client() -> None:
                while not stop.is_set():
                    response = await stack.post("{ hello }", headers=host("a"))
                    seen.append(
                        (phase, response.status_code, "ratelimit-limit" in response.headers)
                    )

            clients = [asyncio.create_task(client()) for _ in range(4)]
            await asyncio.sleep(0.5)
            server.kill()
            phase = "down"
            await asyncio.sleep(1.0)
            down = [(status, decided) for p, status, decided in seen if p == "down"]
            server.start()  # same port: the router reconnects by itself
            phase = "back"
            async with asyncio.timeout(10):  # Redis is skipped for 1 s after a failure
                while not any(p == "back" and d for p, _, d in seen[-4:]):  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
            mark = len(seen)
            while len(seen) < mark + 20:  # noqa: ASYNC110 (load keeps running meanwhile)
                await asyncio.sleep(0.05)
            stop.set()
            await asyncio.gather(*clients)
            assert {(s, d) for p, s, d in seen if p == "up"} == {(200, True)}
            assert down  # the router kept answering
            expected = (200, False) if fail_open else (503, False)
            assert down[-5:] == [expected] * 5
            assert set(down) <= {(200, True), expected}  # requests in flight when it died
            assert {(s, d) for _, s, d in seen[mark:]} == {(200, True)}
            with server.client() as redis_client:
                assert redis_client.exists("kill:t:a", "kill:ip:127.0.0.1") == 2
            assert (await stack.client.get("/health")).status_code == 200


async def test_websocket_operations_count_per_tenant(tmp_path: Path) -> None:
    rate = {"enabled": True, "capacity": 3, "refill_per_second": 0.01}
    async with policy_stack(tmp_path, {"tenant": TENANTS, "rate_limit": rate}) as stack:
        url = "ws" + stack.url[4:] + "/graphql"

        async def operations(tenant: str, count: int) -> list[dict[str, Any]]:
            async with websockets.connect(
                url, subprotocols=[Subprotocol("graphql-transport-ws")]
            ) as ws:
                init = {"type": "connection_init", "payload": {"x-tenant": tenant}}
                await ws.send(orjson.dumps(init).decode())  # the probe takes a token
                assert orjson.loads(await ws.recv())["type"] == "connection_ack"
                answers = []
                for i in range(count):
                    payload = {"query": "{ hello }"}
                    message = {"id": str(i), "type": "subscribe", "payload": payload}
                    await ws.send(orjson.dumps(message).decode())
                    answer = orjson.loads(await ws.recv())
                    answers.append(answer)
                    if answer["type"] == "next":
                        assert orjson.loads(await ws.recv())["type"] == "complete"
                return answers

        a = await operations("a", 3)
        assert [m["type"] for m in a] == ["next", "next", "error"]
        assert a[2]["payload"][0]["extensions"] == {
            "code": "RATE_LIMITED",
            "rateLimit": "tenant",
            "requestId": a[2]["payload"][0]["extensions"]["requestId"],
        }
        b = await operations("b", 2)  # another tenant's bucket is untouched
        assert [m["payload"] for m in b] == [{"data": {"hello": "world"}}] * 2
