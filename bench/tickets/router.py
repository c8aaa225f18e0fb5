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
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import orjson
import yaml

from router.compose.compose import compose
from router.compose.result import SubgraphSource
from saas_platform.tenancy.testing import TenancyEnv, tenancy_env
from subgraphs.kit.auth import DEFAULT_AUDIENCE, DEFAULT_ISSUER
from subgraphs.registry import subgraph_sdls
from tests.conftest import POSTGRES_URL
from tests.subgraphs.tickets.harness import People, TicketsHarness, tickets_harness

ROOT = Path(__file__).resolve().parents[2]
LIST = """query Tickets { tickets(first: 50) { edges { node { id number subject
  requester { id name email } assignee { id name } status { key } priority { key }
  slaBreached sla { metric targetAt remainingSeconds breached paused } } } } }"""
FETCHES = re.compile(
    r'^router_subgraph_fetch_duration_seconds_count\{subgraph="(\w+)"\} (\S+)$', re.M
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


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


def _env(env: TenancyEnv, **extra: str) -> dict[str, str]:
    settings = env.settings
    values = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    if settings.database_url:
        values["DATABASE_URL"] = settings.database_url
    values.update(
        DATA_DIR=str(settings.data_dir),
        TENANT_DB_PREFIX=settings.tenant_db_prefix,
        TENANT_POOL_SIZE="4",
        DB_POOL_TIMEOUT="10",
        **extra,
    )
    return values


@contextmanager
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    try:
        yield started
    finally:
        for proc in reversed(started):  # only what this benchmark started, by pid
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


async def wait_ready(url: str, proc: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"{proc.args} exited with {proc.returncode}")
            try:
                if (await client.get(url, timeout=2)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise TimeoutError(url)


def _cli() -> str:
    return str(Path(sys.executable).parent / "saas-platform")


async def start_subgraph(
    started: list[subprocess.Popen[bytes]], name: str, env: dict[str, str]
) -> int:
    port = free_port()
    proc = subprocess.Popen(  # noqa: ASYNC220 (start-up only, not measured)
        [_cli(), "subgraph", name, "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    started.append(proc)
    await wait_ready(f"http://127.0.0.1:{port}/health", proc)
    return port


async def start_router(
    started: list[subprocess.Popen[bytes]], folder: Path, ports: dict[str, int]
) -> int:
    sdls = subgraph_sdls()
    sources = [
        SubgraphSource(name, f"http://127.0.0.1:{port}/graphql", sdls[name][1])
        for name, port in ports.items()
    ]
    result = compose(sources)
    assert result.supergraph_sdl is not None, result.errors
    supergraph = folder / "supergraph.graphql"
    supergraph.write_text(result.supergraph_sdl)
    config = {
        "log_level": "warning",
        "hot_reload": False,
        "propagate_headers": ["authorization", "x-tenant-id", "x-request-id"],
        "policies": {
            "jwt": {
                "enabled": True,
                "jwks_url": f"http://127.0.0.1:{ports['identity']}/.well-known/jwks.json",
                "issuer": DEFAULT_ISSUER,
                "audience": DEFAULT_AUDIENCE,
            }
        },
    }
    config_path = folder / "router.yaml"
    config_path.write_text(yaml.safe_dump(config))
    port = free_port()
    proc = subprocess.Popen(  # noqa: ASYNC220
        [
            sys.executable,
            "-m",
            "router",
            "--supergraph",
            str(supergraph),
            "--port",
            str(port),
            "--config",
            str(config_path),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    started.append(proc)
    await wait_ready(f"http://127.0.0.1:{port}/health", proc)
    return port


async def fetch_counts(client: httpx.AsyncClient) -> dict[str, float]:
    text = (await client.get("/metrics")).text
    return {name: float(value) for name, value in FETCHES.findall(text)}


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
                identity = await start_subgraph(started, "identity", _env(env))
                jwks = f"http://127.0.0.1:{identity}/.well-known/jwks.json"
                tickets = await start_subgraph(started, "tickets", _env(env, AUTH_JWKS_URL=jwks))
                ports = {"identity": identity, "tickets": tickets}
                router = await start_router(started, Path(folder), ports)
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
