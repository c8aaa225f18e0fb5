"""Chaos run of the events backbone: nothing lost, no duplicate side effect.

    .venv/bin/python -m tests.chaos.events_chaos --events 10000 --tenants 3

Produces events into the outboxes of N PostgreSQL tenants while a relay process and two
consumer processes run against a throwaway Redis (`--save '' --appendonly no`). Meanwhile it
SIGKILLs the relay or a consumer at random (restarting it shortly after) and restarts Redis
once, losing every stream and consumer group. Afterwards it heals, drains and checks, from
the databases: every committed event has exactly one side-effect row.

Needs PostgreSQL (TEST_POSTGRES_URL) and the redis-server binary. Only processes this script
started are ever killed, by pid.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dataclasses import dataclass as _dataclass  # noqa: E402

from sqlalchemy import text  # noqa: E402

from subgraphs.kit.events import Event, register  # noqa: E402

if TYPE_CHECKING:
    from tests.events.conftest import World
    from tests.events.redis_server import ThrowawayRedis

GROUP = "chaos"
EFFECTS = (
    "CREATE TABLE IF NOT EXISTS chaos_effects "
    "(id BIGSERIAL PRIMARY KEY, event_id VARCHAR(36) NOT NULL, consumer VARCHAR(60) NOT NULL)"
)


@register
@_dataclass(frozen=True, kw_only=True)
class ChaosTick(Event):
    event_type: ClassVar[str] = "chaos.tick"
    domain: ClassVar[str] = "chaos"
    description: ClassVar[str] = "Chaos test event (tests/chaos only)."
    n: int


# -- roles run in child processes ---------------------------------------------------------


async def _role(role: str, name: str, stats_dir: Path) -> None:
    import logging

    logging.basicConfig(
        level=logging.INFO, format=f"%(asctime)s {name} %(name)s %(levelname)s %(message)s"
    )
    from saas_platform.settings import Settings
    from saas_platform.tenancy.runtime import build_runtime
    from saas_platform.worker.tenants import ControlTenantSource
    from subgraphs.kit.events import (
        Consumer,
        ConsumerOptions,
        HandlerContext,
        RedisStreams,
        Relay,
        RelayOptions,
        Subscription,
    )

    runtime = build_runtime(Settings.from_env())
    from redis.asyncio import Redis

    redis = Redis.from_url(os.environ["REDIS_URL"], socket_timeout=5, socket_connect_timeout=1)
    streams = RedisStreams(redis)
    tenants = ControlTenantSource(runtime.control, ttl_seconds=30)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    (stats_dir / f"ready-{name}").touch()
    if role == "relay":
        relay_options = RelayOptions(batch=100, scan_interval=0.05, trim_interval=2.0)
        await Relay(streams, tenants, runtime.tenants.session, relay_options).run(stop)
        return

    dup_log = (stats_dir / f"dups-{name}-{os.getpid()}.log").open("a", buffering=1)

    async def effect(context: HandlerContext, item: Event) -> None:
        await context.session.execute(
            text("INSERT INTO chaos_effects (event_id, consumer) VALUES (:e, :c)"),
            {"e": str(item.event_id), "c": name},
        )

    class LoggingConsumer(Consumer):
        def on_duplicate(self, item: Event) -> None:
            dup_log.write(f"{item.event_id}\n")

    options = ConsumerOptions(count=100, block_ms=300, claim_idle_ms=1500, sweep_interval=0.5)
    subscription = Subscription(GROUP, ("chaos",), effect)
    consumer = LoggingConsumer(
        streams, subscription, runtime.tenants.session, name=name, options=options
    )
    await consumer.run(stop)


# -- the conductor --------------------------------------------------------------------------


@dataclass
class ChaosReport:
    events: int
    tenants: int
    produced: int = 0
    consumed: int = 0
    effect_rows: int = 0
    duplicate_side_effects: int = 0
    lost: int = 0
    redelivered: int = 0
    relay_kills: int = 0
    consumer_kills: int = 0
    redis_restarts: int = 0
    produce_seconds: float = 0.0
    drain_seconds: float = 0.0
    total_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.duplicate_side_effects == 0 and self.produced == self.events


class Children:
    def __init__(self, env: dict[str, str], stats_dir: Path) -> None:
        self.env = env
        self.stats_dir = stats_dir
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.log = (stats_dir / "children.log").open("ab")

    def start(self, name: str) -> None:
        role = "relay" if name == "relay" else "consumer"
        args = [sys.executable, "-m", "tests.chaos.events_chaos", "--role", role]
        args += ["--name", name, "--stats-dir", str(self.stats_dir)]
        self.procs[name] = subprocess.Popen(
            args, cwd=ROOT, env=self.env, stdout=self.log, stderr=self.log
        )

    def kill(self, name: str) -> None:
        proc = self.procs.get(name)
        if proc is not None and proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(5)

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(5)
        self.log.close()


async def _produce(world: World, report: ChaosReport, batch: int, pause: float) -> None:
    from subgraphs.kit.events import record

    tenants = world.tenants
    n = 0
    while n < report.events:
        tenant = tenants[(n // batch) % len(tenants)]
        size = min(batch, report.events - n)
        async with world.session(tenant) as session, session.begin():
            for i in range(size):
                record(session, ChaosTick(tenant_id=tenant, n=n + i))
        n += size
        report.produced = n
        await asyncio.sleep(pause)


async def _faults(
    children: Children,
    redis: ThrowawayRedis,
    report: ChaosReport,
    done: asyncio.Event,
    rng: random.Random,
) -> None:
    redis_restarted = False
    while not done.is_set():
        await asyncio.sleep(rng.uniform(2.0, 4.0))
        if done.is_set():
            return
        if not redis_restarted and report.produced >= report.events * 0.4:
            redis.restart(down_seconds=0.5)
            report.redis_restarts += 1
            redis_restarted = True
            continue
        victim = rng.choice(["relay", "consumer-1", "consumer-2"])
        children.kill(victim)
        if victim == "relay":
            report.relay_kills += 1
        else:
            report.consumer_kills += 1
        await asyncio.sleep(rng.uniform(0.2, 0.8))
        children.start(victim)


COUNTS = {
    "produced": "SELECT count(*) FROM event_outbox",
    "rows": "SELECT count(*) FROM chaos_effects",
    "consumed": "SELECT count(DISTINCT event_id) FROM chaos_effects",
    "lost": "SELECT count(*) FROM event_outbox o WHERE NOT EXISTS "
    "(SELECT 1 FROM chaos_effects e WHERE e.event_id = o.event_id)",
}


async def _count(world: World) -> tuple[int, int, int, int]:
    totals = dict.fromkeys(COUNTS, 0)
    for tenant in world.tenants:
        async with world.session(tenant) as session:
            for name, sql in COUNTS.items():
                totals[name] += int((await session.execute(text(sql))).scalar_one())
    return totals["produced"], totals["consumed"], totals["rows"], totals["lost"]


def _ready(stats_dir: Path) -> int:
    return len(list(stats_dir.glob("ready-*")))


def _redeliveries(stats_dir: Path) -> int:
    return sum(len(p.read_text().splitlines()) for p in stats_dir.glob("dups-*.log"))


async def run_chaos(
    events: int = 10_000,
    tenants: int = 3,
    *,
    seed: int = 7,
    batch: int = 25,
    produce_seconds: float | None = None,
    drain_timeout: float = 120.0,
) -> ChaosReport:
    from saas_platform.tenancy.directory import ControlTenantDirectory
    from saas_platform.tenancy.provisioning import Provisioner
    from saas_platform.tenancy.testing import tenancy_env
    from saas_platform.worker.tenants import ControlTenantSource
    from subgraphs.kit.db import TenantEngineRegistry
    from subgraphs.kit.ids import TenantId
    from tests.conftest import POSTGRES_URL
    from tests.events.conftest import World
    from tests.events.redis_server import ThrowawayRedis

    started = time.monotonic()
    report = ChaosReport(events=events, tenants=tenants)
    # paced so that faults land while events are being produced
    pause = (produce_seconds or max(8.0, events / 250)) / max(1, events // batch)
    rng = random.Random(seed)
    stats_dir = Path(tempfile.mkdtemp(prefix="events-chaos-"))
    redis = ThrowawayRedis()
    redis.start()
    try:
        async with tenancy_env("postgres", stats_dir / "data", POSTGRES_URL) as env:
            provisioner = Provisioner(env.control, env.settings)
            ids = [
                TenantId((await provisioner.create_tenant(f"chaos{i}", f"Chaos {i}")).id)
                for i in range(tenants)
            ]
            registry = TenantEngineRegistry(ControlTenantDirectory(env.control), budget=12)
            world = World(env, registry, ControlTenantSource(env.control), ids)
            for tenant in ids:
                async with world.session(tenant) as session, session.begin():
                    await session.execute(text(EFFECTS))
            child_env = {
                **os.environ,
                "DATABASE_URL": env.settings.control_url,
                "TENANT_DB_PREFIX": env.settings.tenant_db_prefix,
                "DATA_DIR": str(stats_dir / "data"),
                "REDIS_URL": redis.url,
                "CONNECTION_BUDGET": "12",
            }
            children = Children(child_env, stats_dir)
            for name in ("relay", "consumer-1", "consumer-2"):
                children.start(name)
            for _ in range(300):  # children import for a few seconds on a busy machine
                if _ready(stats_dir) == 3:
                    break
                await asyncio.sleep(0.1)
            try:
                done = asyncio.Event()
                faults = asyncio.create_task(_faults(children, redis, report, done, rng))
                t0 = time.monotonic()
                await _produce(world, report, batch, pause)
                report.produce_seconds = round(time.monotonic() - t0, 1)
                done.set()
                await faults
                if report.redis_restarts == 0:
                    redis.restart(down_seconds=0.5)
                    report.redis_restarts += 1
                    report.notes.append("redis restarted after production ended")
                for name, proc in children.procs.items():
                    if proc.poll() is not None:
                        children.start(name)
                t1 = time.monotonic()
                while time.monotonic() - t1 < drain_timeout:
                    _, consumed, _, _ = await _count(world)
                    if os.environ.get("CHAOS_VERBOSE"):
                        print(f"drain {time.monotonic() - t1:.1f}s consumed={consumed}", flush=True)
                    if consumed >= events:
                        break
                    await asyncio.sleep(0.5)
                report.drain_seconds = round(time.monotonic() - t1, 1)
                await asyncio.sleep(2.0)  # late redeliveries would show up as duplicates
            finally:
                children.stop_all()
            produced, consumed, rows, lost = await _count(world)
            report.produced, report.consumed, report.effect_rows, report.lost = (
                produced,
                consumed,
                rows,
                lost,
            )
            report.duplicate_side_effects = rows - consumed
            report.redelivered = _redeliveries(stats_dir)
            await registry.aclose()
    finally:
        redis.kill()
    report.total_seconds = round(time.monotonic() - started, 1)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--tenants", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--role", choices=["relay", "consumer"])
    parser.add_argument("--name", default="")
    parser.add_argument("--stats-dir", type=Path)
    args = parser.parse_args()
    if args.role:
        asyncio.run(_role(args.role, args.name, args.stats_dir))
        return
    report = asyncio.run(run_chaos(args.events, args.tenants, seed=args.seed))
    print(json.dumps({**asdict(report), "ok": report.ok}, indent=2))
    sys.exit(0 if report.ok else 1)


if __name__ == "__main__":
    main()
