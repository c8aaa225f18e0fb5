# ruff: noqa: E501
"""Tickets benchmarks: list 50 tickets with requester, assignee and SLA state; create-ticket
throughput; full-text search latency over 100,000 tickets in one tenant.

    .venv/bin/python -m bench.tickets.run                      # PostgreSQL at TEST_POSTGRES_URL
    .venv/bin/python -m bench.tickets.run --backend sqlite
    .venv/bin/python -m bench.tickets.run --creates 300 --clients 4 --search-rows 100000

The identity and tickets apps run in this process (httpx ASGI transport, real tokens, a tenant
provisioned through the real path); every figure includes GraphQL parsing, auth, loaders and
the database, not the network or the router.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import event, insert, select, text
from sqlalchemy.engine import Engine

from saas_platform.tenancy.testing import tenancy_env
from subgraphs.kit.ids import TenantId
from subgraphs.tickets.models import Priority, Status, Ticket
from tests.conftest import POSTGRES_URL
from tests.subgraphs.tickets.harness import People, TicketsHarness, tickets_harness

LIST = """query { tickets(first: 50) { edges { node { id number subject
  requester { id } assignee { id } status { key } priority { key } slaBreached
  sla { metric targetAt remainingSeconds breached paused } } } } }"""
SEARCH = """query($q: String!) { tickets(first: 20, filter: {search: $q}) {
  edges { node { id number subject } } } }"""
WORDS = [
    "printer",
    "invoice",
    "refund",
    "password",
    "vpn",
    "laptop",
    "login",
    "billing",
    "export",
    "crash",
    "latency",
    "shipping",
    "upgrade",
    "license",
    "mailbox",
    "calendar",
    "backup",
    "certificate",
    "firewall",
    "keyboard",
]


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"p50 {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


class Counter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *args: Any) -> None:
        if "tickets_" in statement:
            self.count += 1


async def _policy(api: TicketsHarness, people: People) -> None:
    body = await api.gql(
        'mutation($t: JSON!) { createSlaPolicy(input: {name: "d", position: 1, targets: $t}) '
        "{ userErrors { code } } }",
        {
            "t": {
                k: {"FIRST_RESPONSE": 60, "NEXT_RESPONSE": 120, "RESOLUTION": 1440}
                for k in ("low", "normal", "high", "urgent")
            }
        },
        tenant=people.tenant,
        token=people.owner,
    )
    assert body["data"]["createSlaPolicy"]["userErrors"] == [], body


async def bench_creates(
    api: TicketsHarness, people: People, count: int, clients: int
) -> dict[str, str]:
    latencies: list[float] = []
    queue = list(range(count))

    async def client() -> None:
        while queue:
            queue.pop()
            started = time.perf_counter()
            await api.create(
                people,
                requesterId=people.requester_id,
                assigneeId=people.agent_id,
                tags=["bench"],
                priority=random.choice(["low", "normal", "high"]),
            )
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    return {
        f"createTicket, {clients} client(s)": f"{count} tickets: {count / elapsed:.0f} tickets/s, {_ms(latencies)}"
    }


async def bench_list(api: TicketsHarness, people: People, rounds: int) -> dict[str, str]:
    counter = Counter()
    samples: list[float] = []
    event.listen(Engine, "before_cursor_execute", counter)
    try:
        for _ in range(rounds):
            started = time.perf_counter()
            body = await api.gql(LIST, tenant=people.tenant, token=people.agent)
            samples.append(time.perf_counter() - started)
            assert len(body["data"]["tickets"]["edges"]) == 50, body
    finally:
        event.remove(Engine, "before_cursor_execute", counter)
    return {
        "list 50 tickets (requester, assignee, status, priority, SLA)": f"{_ms(samples)}, {counter.count / rounds:.0f} tickets SQL queries per request"
    }


async def seed_search(api: TicketsHarness, people: People, rows: int) -> None:
    """Bulk rows straight into the tenant database (the search index is what is measured)."""
    tenant = TenantId(uuid.UUID(people.tenant.id))
    rng = random.Random(7)
    async with api.identity.runtime.tenants.session(tenant) as session:
        status = (await session.execute(select(Status).where(Status.key == "open"))).scalar_one()
        priority = (
            await session.execute(select(Priority).where(Priority.key == "normal"))
        ).scalar_one()
        sqlite = session.get_bind().dialect.name == "sqlite"
        base = datetime.now(UTC) - timedelta(days=365)
        batch: list[dict[str, Any]] = []
        fts: list[dict[str, Any]] = []
        for i in range(rows):
            words = rng.sample(WORDS, 4)
            subject = f"{words[0]} {words[1]} issue {i}"
            description = f"Customer reports {words[2]} problem near {words[3]} ref{i}"
            key = uuid.uuid4()
            batch.append(
                {
                    "id": key,
                    "number": 100_000 + i,
                    "subject": subject,
                    "description": description,
                    "status_id": status.id,
                    "category": "OPEN",
                    "priority_id": priority.id,
                    "type": "QUESTION",
                    "channel": "EMAIL",
                    "requester_id": uuid.UUID(people.requester_id),
                    "tags": "[]",
                    "custom_fields": "{}",
                    "search_text": "",
                    "sla_breached": False,
                    "created_at": base + timedelta(seconds=i * 300),
                    "updated_at": base + timedelta(seconds=i * 300),
                }
            )
            if sqlite:
                fts.append({"k": key.hex, "b": f"{subject}\n{description}"})
            if len(batch) == 5000:
                await session.execute(insert(Ticket), batch)
                if fts:
                    await session.execute(
                        text("INSERT INTO tickets_fts (ticket_id, body) VALUES (:k, :b)"), fts
                    )
                batch, fts = [], []
        if batch:
            await session.execute(insert(Ticket), batch)
            if fts:
                await session.execute(
                    text("INSERT INTO tickets_fts (ticket_id, body) VALUES (:k, :b)"), fts
                )
        await session.commit()
        if not sqlite:
            await session.execute(text("ANALYZE tickets_tickets"))
            await session.commit()


async def bench_search(
    api: TicketsHarness, people: People, rows: int, rounds: int
) -> dict[str, str]:
    started = time.perf_counter()
    await seed_search(api, people, rows)
    seeded = time.perf_counter() - started
    results: dict[str, str] = {"seed": f"{rows} tickets inserted in {seeded:.1f} s"}
    for label, queries in (
        ("one word (~20% of rows match)", [[w] for w in WORDS]),
        ("two words", [[a, b] for a, b in itertools.pairwise(WORDS)]),
        ("rare token (1 row)", [[f"ref{random.randrange(rows)}"] for _ in range(20)]),
    ):
        samples = []
        for i in range(rounds):
            q = " ".join(queries[i % len(queries)])
            t0 = time.perf_counter()
            body = await api.gql(SEARCH, {"q": q}, tenant=people.tenant, token=people.agent)
            samples.append(time.perf_counter() - t0)
            assert "errors" not in body, body
        results[f"search: {label}"] = _ms(samples)
    return results


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        admin = POSTGRES_URL if args.backend == "postgres" else None
        async with (
            tenancy_env(
                args.backend,
                Path(folder) / "data",
                admin,
                tenant_pool_size=max(4, args.clients * 2),
                db_pool_timeout=30.0,
            ) as env,
            tickets_harness(env) as api,
        ):
            people = await api.people()
            await _policy(api, people)
            report: dict[str, str] = {}
            report.update(await bench_creates(api, people, args.creates, 1))
            report.update(await bench_creates(api, people, args.creates, args.clients))
            report.update(await bench_list(api, people, args.rounds))
            report.update(await bench_search(api, people, args.search_rows, args.rounds))
            print(
                orjson.dumps(
                    {"backend": args.backend, **report}, option=orjson.OPT_INDENT_2
                ).decode()
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--creates", type=int, default=300)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--search-rows", type=int, default=100_000)
    asyncio.run(main(parser.parse_args()))
