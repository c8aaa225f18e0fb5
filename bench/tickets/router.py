# ruff: noqa: E501
"""Tickets through OUR router: list 50 tickets with requester, assignee and SLA state.

    .venv/bin/python -m bench.tickets.router                     # PostgreSQL at TEST_POSTGRES_URL
    .venv/bin/python -m bench.tickets.router --backend sqlite --requests 200 --clients 4

A tenant, its people (identity, real EdDSA tokens) and the tickets are set up in this process
(the test harness), on an isolated database set. Then three processes on ephemeral 127.0.0.1
ports: `saas-platform subgraph identity`, `saas-platform subgraph tickets` (verifying tokens
against identity's JWKS, as in production) and `python -m router` on a supergraph composed
with `router.compose` from the registry's SDLs of identity and tickets, its JWT policy on. The
client measures the router's end-to-end latency; the router's `/metrics` (fetch-duration
histogram counts) give the subgraph fetches per request. Bounded: `--requests` (default 300)
after 10 warm-up requests; every process started here is stopped by its pid at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx
import orjson

from bench.procs import fetch_counts, processes, start_router, start_subgraph, subprocess_env
from saas_platform.tenancy.testing import tenancy_env
from tests.conftest import POSTGRES_URL
from tests.subgraphs.tickets.harness import People, TicketsHarness, tickets_harness

LIST = """query Tickets { tickets(first: 50) { edges { node { id number subject
  requester { id name email } assignee { id name } status { key } priority { key }
  slaBreached sla { metric targetAt remainingSeconds breached paused } } } } }"""


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"p50 {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


async def seed(api: TicketsHarness, people: People, count: int) -> None:
    targets = {
        k: {"FIRST_RESPONSE": 60, "NEXT_RESPONSE": 120, "RESOLUTION": 1440}
        for k in ("low", "normal", "high", "urgent")
    }
    body = await api.gql(
        'mutation($t: JSON!) { createSlaPolicy(input: {name: "d", position: 1, targets: $t}) '
        "{ userErrors { code } } }",
        {"t": targets},
        tenant=people.tenant,
        token=people.owner,
    )
    assert body["data"]["createSlaPolicy"]["userErrors"] == [], body
    requesters = [people.requester_id, people.other_requester_id, people.tenant.owner_id]
    for i in range(count):
        await api.create(
            people,
            requesterId=requesters[i % len(requesters)],
            assigneeId=people.agent_id if i % 5 else None,
            priority=("low", "normal", "high")[i % 3],
        )


async def measure(port: int, people: People, requests: int, clients: int) -> dict[str, str]:
    headers = {"authorization": f"Bearer {people.agent}", "x-tenant-id": people.tenant.id}
    samples: list[float] = []
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:

        async def one() -> None:
            started = time.perf_counter()
            response = await client.post("/graphql", json={"query": LIST}, headers=headers)
            elapsed = time.perf_counter() - started
            body = response.json()
            assert "errors" not in body, body
            edges = body["data"]["tickets"]["edges"]
            assert len(edges) == 50, len(edges)
            assert all(e["node"]["requester"]["name"] for e in edges), edges[0]
            assert any(e["node"]["assignee"] for e in edges)
            assert all(e["node"]["sla"] for e in edges)
            samples.append(elapsed)

        for _ in range(10):  # warm-up: plans, pools, JWKS caches
            await one()
        samples.clear()
        before = await fetch_counts(client)
        queue = list(range(requests))

        async def worker() -> None:
            while queue:
                queue.pop()
                await one()

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - started
        after = await fetch_counts(client)
    per_request = {k: (after.get(k, 0) - before.get(k, 0)) / requests for k in after}
    fetches = ", ".join(f"{k} {v:g}" for k, v in sorted(per_request.items()))
    return {
        f"list 50 tickets through the router, {clients} client(s), {requests} requests": f"{_ms(samples)}, {requests / elapsed:.0f} req/s; subgraph fetches per request: {fetches}"
    }


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        admin = POSTGRES_URL if args.backend == "postgres" else None
        async with (
            tenancy_env(args.backend, Path(folder) / "data", admin) as env,
            tickets_harness(env) as api,
        ):
            people = await api.people()
            await seed(api, people, 50)
            report: dict[str, str] = {}
            with processes() as started:
                identity = await start_subgraph(started, "identity", subprocess_env(env))
                jwks = f"http://127.0.0.1:{identity}/.well-known/jwks.json"
                tickets_env = subprocess_env(env, AUTH_JWKS_URL=jwks)
                tickets = await start_subgraph(started, "tickets", tickets_env)
                ports = {"identity": identity, "tickets": tickets}
                router = await start_router(started, Path(folder), ports, identity)
                for clients in sorted({1, args.clients}):
                    report.update(await measure(router, people, args.requests, clients))
            print(
                orjson.dumps(
                    {"backend": args.backend, **report}, option=orjson.OPT_INDENT_2
                ).decode()
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--clients", type=int, default=4)
    asyncio.run(main(parser.parse_args()))
