# ruff: noqa: E501
"""Projects benchmarks: a 500-card board load, card moves per second with concurrent
clients, and time roll-ups over 100,000 worklogs.

    .venv/bin/python -m bench.projects.run                      # PostgreSQL at TEST_POSTGRES_URL
    .venv/bin/python -m bench.projects.run --backend sqlite
    .venv/bin/python -m bench.projects.run --cards 500 --clients 8 --moves 50 --worklogs 100000

The identity and projects apps run in this process (httpx ASGI transport, real tokens, a
tenant provisioned through the real path); every figure includes GraphQL parsing, auth,
loaders and the database, not the network or the router.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.engine import Engine

from saas_platform.tenancy.testing import TenancyEnv, tenancy_env
from subgraphs.kit.auth.principal import Principal, PrincipalKind
from subgraphs.kit.ids import TenantId
from subgraphs.projects.models import Priority, Worklog
from subgraphs.projects.repository.time import RollupDimension
from subgraphs.projects.service.tasks import TaskDraft, create_task
from subgraphs.projects.service.worklogs import rollup
from tests.conftest import POSTGRES_URL
from tests.subgraphs.identity.harness import Tenant
from tests.subgraphs.projects.harness import ProjectsHarness, projects_harness

BOARD = """query($id: ID!) { board(id: $id) { columns { name cardCount cards {
  id identifier title priority rank assignee { id } labels { name } state { name }
} } } }"""
MOVE = """mutation($input: MoveCardInput!) {
  moveCard(input: $input) { task { id rank } userErrors { code } } }"""
ROLLUP = """query($by: TimeRollupDimension!, $p: [ID!]) {
  timeRollup(by: $by, projectIds: $p) { key seconds worklogs } }"""


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"p50 {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


class Counter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args: Any) -> None:
        self.count += 1


async def seed_board(
    api: ProjectsHarness, actor: Principal, project: dict[str, Any], cards: int
) -> None:
    """Cards through the service (same code path as createTask, one transaction)."""
    registry = api.identity.runtime.tenants
    states = [uuid.UUID(s["id"]) for s in project["states"][:4]]
    priorities = list(Priority)
    async with registry.session(actor.tenant_id) as session:
        for i in range(cards):
            draft = TaskDraft(
                project_id=uuid.UUID(project["id"]),
                title=f"Card {i}",
                state_id=states[i % 4],
                priority=priorities[i % len(priorities)],
                assignee_id=actor.user_id if i % 3 == 0 else None,
            )
            await create_task(actor, session, draft)
        await session.commit()


async def bench_board(api: ProjectsHarness, tenant: Any, board_id: str, rounds: int) -> None:
    counter = Counter()
    await api.ok(BOARD, {"id": board_id}, tenant=tenant)  # warm
    samples = []
    event.listen(Engine, "before_cursor_execute", counter)
    try:
        for _ in range(rounds):
            start = time.perf_counter()
            data = await api.ok(BOARD, {"id": board_id}, tenant=tenant)
            samples.append(time.perf_counter() - start)
    finally:
        event.remove(Engine, "before_cursor_execute", counter)
    total = sum(c["cardCount"] for c in data["board"]["columns"])
    print(
        f"board load: {total} cards, {_ms(samples)}, {counter.count / rounds:.0f} SQL statements per load"
    )


async def bench_moves(
    api: ProjectsHarness, tenant: Any, project: dict[str, Any], clients: int, moves: int
) -> None:
    board = project["board"]
    columns = [c["id"] for c in board["columns"][:4]]
    data = await api.ok(BOARD, {"id": board["id"]}, tenant=tenant)
    ids = [card["id"] for col in data["board"]["columns"] for card in col["cards"]]
    rng = random.Random(1)
    errors: list[str] = []
    latencies: list[float] = []

    async def client() -> None:
        for _ in range(moves):
            task, anchor = rng.sample(ids, 2)
            move: dict[str, Any] = {
                "boardId": board["id"],
                "taskId": task,
                "toColumnId": rng.choice(columns),
            }
            if rng.random() < 0.7:
                move["afterTaskId"] = anchor
            start = time.perf_counter()
            body = await api.gql(MOVE, {"input": move}, tenant=tenant)
            latencies.append(time.perf_counter() - start)
            payload = (body.get("data") or {}).get("moveCard")
            if payload is None:  # e.g. the tenant's small pool timed out (INTERNAL)
                errors.extend(e.get("extensions", {}).get("code", "?") for e in body["errors"])
            else:
                errors.extend(e["code"] for e in payload["userErrors"])

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - start
    data = await api.ok(BOARD, {"id": board["id"]}, tenant=tenant)
    cards = [card for col in data["board"]["columns"] for card in col["cards"]]
    ranks = [c["rank"] for c in cards]
    valid = sorted(c["id"] for c in cards) == sorted(ids) and len(set(ranks)) == len(ranks)
    print(
        f"moves: {clients} clients x {moves} = {clients * moves} in {elapsed:.2f} s -> "
        f"{clients * moves / elapsed:.0f} moves/s, latency {_ms(latencies)}, "
        f"errors {len(errors)} {sorted(set(errors))}, final order valid: {valid}, longest key {max(map(len, ranks))}"
    )


async def bench_rollup(
    api: ProjectsHarness, tenant: Any, actor: Principal, project: dict[str, Any], worklogs: int
) -> None:
    registry = api.identity.runtime.tenants
    async with registry.session(actor.tenant_id) as session:
        tasks = (
            await api.ok(
                "query($p: [ID!]) { tasks(filter: {projectIds: $p}, first: 100) { edges { node { id } } } }",
                {"p": [project["id"]]},
                tenant=tenant,
            )
        )["tasks"]["edges"]
        task_ids = [uuid.UUID(t["node"]["id"]) for t in tasks]
        users = [uuid.uuid4() for _ in range(20)]
        base = datetime(2026, 1, 1, tzinfo=UTC)
        rng = random.Random(2)
        start = time.perf_counter()
        for chunk in range(0, worklogs, 5000):
            rows = [
                {
                    "id": uuid.uuid4(),
                    "task_id": rng.choice(task_ids),
                    "project_id": uuid.UUID(project["id"]),
                    "user_id": rng.choice(users),
                    "started_at": base + timedelta(minutes=rng.randrange(525_600)),
                    "duration_seconds": rng.randrange(60, 14_400),
                    "note": "",
                    "created_at": base,
                }
                for _ in range(min(5000, worklogs - chunk))
            ]
            await session.execute(insert(Worklog), rows)
        await session.commit()
        print(f"seeded {worklogs} worklogs in {time.perf_counter() - start:.1f} s")
        for dimension in RollupDimension:
            samples = []
            for _ in range(5):
                start = time.perf_counter()
                result = await rollup(
                    session,
                    dimension,
                    project_ids=[uuid.UUID(project["id"])],
                    user_ids=[],
                    task_ids=[],
                    since=None,
                    until=None,
                )
                samples.append(time.perf_counter() - start)
            print(f"roll-up by {dimension.value:7} (service, {len(result)} groups): {_ms(samples)}")
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        await api.ok(ROLLUP, {"by": "USER", "p": [project["id"]]}, tenant=tenant)
        samples.append(time.perf_counter() - start)
    print(f"roll-up by USER over GraphQL: {_ms(samples)}")


@dataclass(frozen=True, slots=True)
class BenchProject:
    env: TenancyEnv
    api: ProjectsHarness
    tenant: Tenant
    actor: Principal  # the tenant's owner
    project: dict[str, Any]


@asynccontextmanager
async def bench_project(backend: str, folder: Path) -> AsyncIterator[BenchProject]:
    """An isolated database set under `folder`, a tenant and its project `BENCH` (empty)."""
    admin = POSTGRES_URL if backend == "postgres" else None
    async with (
        tenancy_env(backend, folder / "data", admin) as env,
        projects_harness(env) as api,
    ):
        tenant = await api.tenant()
        actor = Principal(
            tenant_id=TenantId(uuid.UUID(tenant.id)),
            user_id=uuid.UUID(tenant.owner_id),
            kind=PrincipalKind.USER,
        )
        project = await api.project(tenant, "BENCH")
        yield BenchProject(env, api, tenant, actor, project)


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        async with bench_project(args.backend, Path(folder)) as setup:
            api, tenant, actor, project = setup.api, setup.tenant, setup.actor, setup.project
            start = time.perf_counter()
            await seed_board(api, actor, project, args.cards)
            print(
                f"backend {args.backend}: seeded {args.cards} cards in {time.perf_counter() - start:.1f} s"
            )
            await bench_board(api, tenant, project["board"]["id"], args.rounds)
            for clients in args.clients:
                await bench_moves(api, tenant, project, clients, args.moves)
            await bench_rollup(api, tenant, actor, project, args.worklogs)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--cards", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--moves", type=int, default=50)
    parser.add_argument("--worklogs", type=int, default=100_000)
    asyncio.run(main(parser.parse_args()))
