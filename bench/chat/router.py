# ruff: noqa: E501
"""Chat fan-out and throughput THROUGH OUR ROUTER, across two chat processes.

    .venv/bin/python -m bench.chat.router                          # PostgreSQL + Redis (TEST_* URLs)
    .venv/bin/python -m bench.chat.router --subscribers 2000 --messages 20 --clients 8 --burst 400

The tenant and its people (real EdDSA tokens) are set up in this process (the test harness).
Then five processes on ephemeral 127.0.0.1 ports: `saas-platform subgraph identity` (JWKS),
two `saas-platform subgraph chat` (each its own runtime, pools and Redis pub/sub hub) and two
`python -m router` (JWT policy on), router A in front of chat A and router B in front of chat
B. Subscribers (graphql-transport-ws) connect half to each router; messages are posted over
HTTP alternately through both routers, so every message crosses processes through Redis.
Memory per connection is the growth of the four servers' RSS (`/proc/<pid>/status`) while
the subscribers connect. Bounded: the counts given, 30 s per delivery wait; every process
started here is stopped by its pid at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

import httpx

from bench.chat.run import _throughput, fanout
from bench.procs import (
    ROOT,
    Started,
    processes,
    start_router,
    start_server,
    start_subgraph,
    subprocess_env,
)
from saas_platform.tenancy.testing import tenancy_env
from subgraphs.kit.pubsub import PubSub
from tests.conftest import POSTGRES_URL, REDIS_URL
from tests.subgraphs.chat.harness import chat_harness


async def start_chat(started: Started, env: dict[str, str]) -> int:
    """A chat process via `python -m bench.chat.serve` (the plain subgraph command)."""
    return await start_server(started, [sys.executable, "-m", "bench.chat.serve", "chat"], env)


def rss_mb(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
    return total


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        admin = POSTGRES_URL if args.backend == "postgres" else None
        async with (
            tenancy_env(args.backend, folder / "data", admin, tenant_pool_size=8) as env,
            chat_harness(env, pubsub=PubSub(args.redis, heartbeat_timeout=60)) as ch,
        ):
            people = await ch.people()
            inbox = await ch.inbox(people)
            conv = (await ch.start(people, inbox))["conversation"]["id"]
            with processes() as started:
                identity = await start_subgraph(started, "identity", subprocess_env(env))
                jwks = f"http://127.0.0.1:{identity}/.well-known/jwks.json"
                chat_env = subprocess_env(env, AUTH_JWKS_URL=jwks, REDIS_URL=args.redis)
                chat_env["PYTHONPATH"] = str(ROOT)
                if args.as_is:  # `saas-platform subgraph chat`; same code as bench.chat.serve
                    chats = [await start_subgraph(started, "chat", chat_env) for _ in range(2)]
                else:
                    chats = [await start_chat(started, chat_env) for _ in range(2)]
                routers = [
                    await start_router(started, folder / f"router{i}", {"chat": chat}, identity)
                    for i, chat in enumerate(chats)
                ]
                servers = [p.pid for p in started[1:]]  # two chats, two routers
                hosts = (f"127.0.0.1:{routers[0]}", f"127.0.0.1:{routers[1]}")
                async with (
                    httpx.AsyncClient(base_url=f"http://{hosts[0]}", timeout=60) as a,
                    httpx.AsyncClient(base_url=f"http://{hosts[1]}", timeout=60) as b,
                ):
                    print(
                        f"through the router: {args.subscribers} subscribers, 2 chat processes, 2 routers"
                    )
                    await fanout(
                        people, conv, hosts, (a, b), args, lambda: rss_mb(servers),
                        label="2 chat + 2 router processes'",
                    )  # fmt: skip
                    await _throughput(ch, people, conv, a, b, hosts[0], hosts[1], args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--redis", default=os.environ.get("TEST_REDIS_URL", REDIS_URL))
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--gap", type=float, default=0.05)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--burst", type=int, default=400)
    parser.add_argument(
        "--as-is",
        action="store_true",
        help="chat via `saas-platform subgraph chat` (same hub code now)",
    )
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
