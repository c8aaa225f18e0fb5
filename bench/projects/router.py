# ruff: noqa: E501
"""A 500-card board loaded through OUR router (projects + identity for the assignees' names).

    .venv/bin/python -m bench.projects.router                     # PostgreSQL at TEST_POSTGRES_URL
    .venv/bin/python -m bench.projects.router --backend sqlite --cards 500 --requests 30

A tenant, its owner (real EdDSA token) and a project whose default board holds `--cards`
cards (a third assigned) are set up in this process (the test harness), on an isolated
database set. Then three processes on ephemeral 127.0.0.1 ports: `saas-platform subgraph
identity`, `saas-platform subgraph projects` (verifying tokens against identity's JWKS) and
`python -m router` on a supergraph composed with `router.compose` from the registry's SDLs of
identity and projects, its JWT policy on (the process plumbing is bench/procs.py's).
The same board query is timed through the router (assignee names resolved from identity)
and straight against the projects subgraph (assignee ids only), so the difference is the
router's planning, the entity fetch to identity and the merge. Bounded: `--requests`
(default 30) after 3 warm-up requests, one client; every process started here is stopped by
its pid at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import orjson

from bench.procs import fetch_counts, processes, start_router, start_subgraph, subprocess_env
from bench.projects.run import _ms, bench_project, seed_board

CARD = "id identifier title priority rank labels { name } state { name }"
ROUTED = f"""query Board($id: ID!) {{ board(id: $id) {{ columns {{ name cardCount cards {{
  {CARD} assignee {{ id name }} }} }} }} }}"""
WARMUP = 3
DIRECT = f"""query Board($id: ID!) {{ board(id: $id) {{ columns {{ name cardCount cards {{
  {CARD} assignee {{ id }} }} }} }} }}"""


async def measure(
    url: str, document: str, board: str, headers: dict[str, str], cards: int, requests: int
) -> list[float]:
    samples: list[float] = []
    async with httpx.AsyncClient(timeout=60) as client:

        async def one() -> None:
            started = time.perf_counter()
            response = await client.post(
                url, json={"query": document, "variables": {"id": board}}, headers=headers
            )
            elapsed = time.perf_counter() - started
            body = response.json()
            assert "errors" not in body, str(body)[:500]
            columns = body["data"]["board"]["columns"]
            found = [card for column in columns for card in column["cards"]]
            assert len(found) == cards, len(found)
            assigned = [c["assignee"] for c in found if c["assignee"]]
            assert assigned, "no assigned card"
            if "name" in assigned[0]:
                assert all(a["name"] for a in assigned), assigned[0]
            samples.append(elapsed)

        for _ in range(WARMUP):  # plans, pools, JWKS caches
            await one()
        samples.clear()
        for _ in range(requests):
            await one()
    return samples


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        async with bench_project(args.backend, Path(folder)) as setup:
            env, api, tenant, project = setup.env, setup.api, setup.tenant, setup.project
            actor = setup.actor
            started = time.perf_counter()
            await seed_board(api, actor, project, args.cards)
            seeded = time.perf_counter() - started
            # the default board shows 5 of the 6 states; seed_board uses the first 4
            board = project["board"]["id"]
            headers = {"authorization": f"Bearer {tenant.owner_token}", "x-tenant-id": tenant.id}
            report: dict[str, Any] = {
                "backend": args.backend,
                "seeded": f"{args.cards} cards in {seeded:.1f} s",
            }
            with processes() as running:
                identity = await start_subgraph(running, "identity", subprocess_env(env))
                jwks = f"http://127.0.0.1:{identity}/.well-known/jwks.json"
                projects_env = subprocess_env(env, AUTH_JWKS_URL=jwks)
                projects = await start_subgraph(running, "projects", projects_env)
                ports = {"identity": identity, "projects": projects}
                router = await start_router(running, Path(folder), ports, identity)
                direct = await measure(
                    f"http://127.0.0.1:{projects}/graphql",
                    DIRECT,
                    board,
                    headers,
                    args.cards,
                    args.requests,
                )
                async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{router}") as client:
                    before = await fetch_counts(client)
                routed = await measure(
                    f"http://127.0.0.1:{router}/graphql",
                    ROUTED,
                    board,
                    headers,
                    args.cards,
                    args.requests,
                )
                async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{router}") as client:
                    after = await fetch_counts(client)
            calls = args.requests + WARMUP
            per_request = {k: (after.get(k, 0) - before.get(k, 0)) / calls for k in after}
            fetches = ", ".join(f"{k} {v:g}" for k, v in sorted(per_request.items()))
            report[
                f"board of {args.cards} cards through the router (+ assignee names from identity), {args.requests} requests"
            ] = f"{_ms(routed)}; subgraph fetches per request: {fetches}"
            report[
                f"same board straight from the projects subgraph (assignee ids), {args.requests} requests"
            ] = _ms(direct)
            print(orjson.dumps(report, option=orjson.OPT_INDENT_2).decode())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--cards", type=int, default=500)
    parser.add_argument("--requests", type=int, default=30)
    asyncio.run(main(parser.parse_args()))
