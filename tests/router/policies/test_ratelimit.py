"""Per-tenant token buckets: in memory and in Redis (a throwaway redis-server on port 6391),
and what happens when Redis is killed mid-load (fail open or closed, as configured)."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from policystack import policy_stack

PORT = 6391
TENANTS = {"enabled": True, "base_domain": "example.test"}


def host(slug: str) -> dict[str, str]:
    return {"host": f"{slug}.example.test"}


@contextlib.contextmanager
def throwaway_redis() -> Iterator[subprocess.Popen[bytes]]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server not installed")
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(PORT),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client = redis.Redis(port=PORT, socket_timeout=0.2)
        deadline = time.monotonic() + 5
        while True:
            try:
                client.ping()
                break
            except redis.RedisError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        client.close()
        yield process
    finally:
        if process.poll() is None:
            process.kill()  # only the server this test started, by its pid
        process.wait(5)


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
        "redis_url": f"redis://127.0.0.1:{PORT}/0",
        "key_prefix": f"test:{time.time_ns()}",
    }
    with throwaway_redis():
        async with policy_stack(tmp_path, {"tenant": TENANTS, "rate_limit": rate}) as stack:
            await _tenant_a_limited_b_not(stack, stack.post)
            with redis.Redis(port=PORT) as client:
                keys = client.keys(f"{rate['key_prefix']}:t:*")
            assert sorted(keys) == [
                f"{rate['key_prefix']}:t:a".encode(),
                f"{rate['key_prefix']}:t:b".encode(),
            ]


@pytest.mark.redis
@pytest.mark.parametrize("fail_open", [True, False])
async def test_redis_killed_mid_load(tmp_path: Path, fail_open: bool) -> None:
    rate = {
        "enabled": True,
        "capacity": 100_000,
        "refill_per_second": 1000,
        "redis_url": f"redis://127.0.0.1:{PORT}/0",
        "fail_open": fail_open,
    }
    with throwaway_redis() as server:
        async with policy_stack(tmp_path, {"tenant": TENANTS, "rate_limit": rate}) as stack:
            statuses: list[tuple[bool, int]] = []
            killed = False
            stop = asyncio.Event()

            async def client() -> None:
                while not stop.is_set():
                    response = await stack.post("{ hello }", headers=host("a"))
                    statuses.append((killed, response.status_code))

            clients = [asyncio.create_task(client()) for _ in range(4)]
            await asyncio.sleep(0.5)
            server.kill()
            server.wait(5)
            killed = True
            await asyncio.sleep(1.0)
            stop.set()
            await asyncio.gather(*clients)
            before = {s for k, s in statuses if not k}
            after = [s for k, s in statuses if k]
            assert before == {200}
            assert after  # the router kept answering
            expected = 200 if fail_open else 503
            assert after[-5:] == [expected] * 5
            assert set(after) <= {200, expected}
            health = await stack.client.get("/health")
            assert health.status_code == 200
