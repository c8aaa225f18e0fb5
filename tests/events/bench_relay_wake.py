"""Benchmark: relay with Redis wake-ups vs the 1 s sweep of every tenant.

    .venv/bin/python -m tests.events.bench_relay_wake --tenants 20 --events 50 --idle 10

Provisions N PostgreSQL tenants, then for each mode measures
- idle cost: tenant transactions opened by the relay during `--idle` seconds with no events;
- commit-to-stream latency: one event at a time into a random tenant, from the commit's return
  to the entry appearing on the stream (seen by a blocking XREAD on another connection).
The relay runs in this process with in-process hints off, so only the Redis announcement
(the path a separate subgraph process takes) or the sweep can wake it. Prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path

from redis.asyncio import Redis

from saas_platform.tenancy.directory import ControlTenantDirectory
from saas_platform.tenancy.provisioning import Provisioner
from saas_platform.tenancy.testing import tenancy_env
from saas_platform.worker.tenants import ControlTenantSource
from subgraphs.kit.db import TenantEngineRegistry
from subgraphs.kit.events import RedisStreams, Relay, RelayOptions, record
from subgraphs.kit.events.keys import stream_for
from subgraphs.kit.events.wake import RedisWakeSignal, start_wake_publisher
from subgraphs.kit.ids import TenantId
from tests.conftest import POSTGRES_URL, REDIS_URL
from tests.events.sample_events import SampleHappened

STREAM = stream_for("sample")
BENCH_REDIS = REDIS_URL.rsplit("/", 1)[0] + "/15"


async def measure(
    mode: str,
    redis: Redis,
    registry: TenantEngineRegistry,
    source: ControlTenantSource,
    tenants: list[TenantId],
    events: int,
    idle: float,
) -> dict[str, float]:
    await redis.flushdb()
    wake = RedisWakeSignal(redis) if mode == "wake" else None
    relay = Relay(
        RedisStreams(redis),
        source,
        registry.session,
        RelayOptions(scan_interval=1.0, sweep_interval=30.0),
        wake=wake,
        in_process_hints=False,
    )
    publisher_stop = start_wake_publisher(redis)[1] if mode == "wake" else None
    stop = asyncio.Event()
    running = asyncio.ensure_future(relay.run(stop))
    reader = Redis.from_url(BENCH_REDIS)
    try:
        await asyncio.sleep(1.5)  # start-up sweep(s) done
        before = relay.stats.tenants_drained
        await asyncio.sleep(idle)
        idle_transactions = relay.stats.tenants_drained - before
        latencies: list[float] = []
        rng = random.Random(7)
        last_id = "$"
        for n in range(events):
            tenant = rng.choice(tenants)
            seen = asyncio.ensure_future(reader.xread({STREAM: last_id}, block=10_000, count=1))
            await asyncio.sleep(0.01)  # the XREAD is registered before the commit
            async with registry.session(tenant) as session, session.begin():
                record(session, SampleHappened(tenant_id=tenant, n=n))
            committed = time.perf_counter()
            result = await seen
            latencies.append((time.perf_counter() - committed) * 1000)
            last_id = result[0][1][-1][0].decode()
    finally:
        stop.set()
        await running
        if publisher_stop is not None:
            publisher_stop()
        await reader.aclose()
    latencies.sort()
    return {
        "idle_per_min": idle_transactions * 60 / idle,
        "p50": statistics.median(latencies),
        "p95": latencies[int(len(latencies) * 0.95) - 1],
        "max": latencies[-1],
    }


async def main(count: int, events: int, idle: float) -> None:
    data = Path(tempfile.mkdtemp(prefix="bench-relay-wake-"))
    async with tenancy_env("postgres", data, POSTGRES_URL) as env:
        provisioner = Provisioner(env.control, env.settings)
        tenants = [
            TenantId((await provisioner.create_tenant(f"wake{n}", f"Wake {n}")).id)
            for n in range(count)
        ]
        registry = TenantEngineRegistry(ControlTenantDirectory(env.control), budget=40)
        source = ControlTenantSource(env.control)
        redis = Redis.from_url(BENCH_REDIS)
        try:
            results = {
                mode: await measure(mode, redis, registry, source, tenants, events, idle)
                for mode in ("sweep", "wake")
            }
        finally:
            await redis.flushdb()
            await redis.aclose()
            await registry.aclose()
    print(f"{count} tenants, {events} events, {idle:.0f} s idle")
    print("| relay | idle tenant transactions / min | commit→stream p50 | p95 | max |")
    print("|---|---|---|---|---|")
    for mode, r in results.items():
        label = "1 s sweep (before)" if mode == "sweep" else "wake-ups + 30 s sweep"
        print(
            f"| {label} | {r['idle_per_min']:.0f} | {r['p50']:.1f} ms | {r['p95']:.1f} ms "
            f"| {r['max']:.1f} ms |"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tenants", type=int, default=20)
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--idle", type=float, default=10.0)
    args = parser.parse_args()
    asyncio.run(main(args.tenants, args.events, args.idle))
