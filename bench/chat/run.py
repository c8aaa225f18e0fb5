# ruff: noqa: E501
"""Chat benchmarks: messages per second through the subgraph with nothing lost, and the
fan-out of each message to N subscribers spread over two chat instances.

    .venv/bin/python -m bench.chat.run                       # PostgreSQL + Redis (TEST_* URLs)
    .venv/bin/python -m bench.chat.run --subscribers 2000 --messages 20 --clients 8 --burst 400

Two chat apps are served by two uvicorn servers on 127.0.0.1, each with its own runtime
(engines, pools) and its own Redis-backed pub/sub hub, as two processes would have them; they
share the event loop of this process with the WebSocket clients, so latencies include the
clients' own work. Messages are posted over HTTP (real tokens) alternately to both instances.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from saas_platform.tenancy.testing import tenancy_env
from subgraphs.kit.pubsub import PubSub
from tests.conftest import POSTGRES_URL, REDIS_URL
from tests.subgraphs.chat.harness import SEND, ChatHarness, People, chat_harness
from tests.subgraphs.chat.servers import second_instance, serve

PROBLEMS: list[str] = []
MESSAGES = """subscription($id: ID!) { messageAdded(conversationId: $id) { seq body } }"""


def _pct(samples: list[float], q: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _subscriber(
    host: str,
    people: People,
    conv: str,
    ready: asyncio.Event,
    inbox: asyncio.Queue[tuple[float, dict[str, Any]]],
    stop: asyncio.Event,
) -> None:
    headers = {"x-tenant-id": people.tenant.id, "authorization": f"Bearer {people.agent}"}
    async with connect(
        f"ws://{host}/graphql",
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        additional_headers=headers,
        max_queue=None,
    ) as ws:
        await ws.send(json.dumps({"type": "connection_init"}))
        await ws.recv()
        payload = {"query": MESSAGES, "variables": {"id": conv}}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        ready.set()
        await _drain(ws, inbox, stop)


async def _drain(
    ws: ClientConnection, inbox: asyncio.Queue[tuple[float, dict[str, Any]]], stop: asyncio.Event
) -> None:
    while not stop.is_set():
        try:
            raw = await asyncio.wait_for(ws.recv(), 0.5)
        except TimeoutError:
            continue
        message = json.loads(raw)
        if message.get("type") == "ping":  # the router's keep-alive
            await ws.send(json.dumps({"type": "pong"}))
            continue
        if message.get("type") == "next" and message["payload"].get("data"):
            inbox.put_nowait((time.perf_counter(), message["payload"]["data"]["messageAdded"]))
        else:
            PROBLEMS.append(str(message)[:300])


async def _post(client: httpx.AsyncClient, people: People, conv: str, body: str) -> None:
    headers = {"x-tenant-id": people.tenant.id, "authorization": f"Bearer {people.agent2}"}
    variables = {"input": {"conversationId": conv, "body": body}}
    response = await client.post(
        "/graphql", json={"query": SEND, "variables": variables}, headers=headers
    )
    data = response.json()
    assert not data.get("errors"), data
    assert not data["data"]["sendChatMessage"]["userErrors"], data


async def run(args: argparse.Namespace) -> None:
    backend = args.backend
    with tempfile.TemporaryDirectory() as tmp:
        async with (
            tenancy_env(
                backend,
                Path(tmp) / "data",
                POSTGRES_URL if backend == "postgres" else None,
                tenant_pool_size=8,
                db_pool_timeout=20.0,
            ) as env,
            chat_harness(env, pubsub=PubSub(args.redis, heartbeat_timeout=60)) as ch,
        ):
            await _bench(ch, args)


async def _bench(ch: ChatHarness, args: argparse.Namespace) -> None:
    people = await ch.people()
    inbox = await ch.inbox(people)
    conv = (await ch.start(people, inbox))["conversation"]["id"]
    async with (
        second_instance(ch, args.redis, 60) as other,
        serve(ch.app) as host_a,
        serve(other) as host_b,
        httpx.AsyncClient(base_url=f"http://{host_a}", timeout=60) as a,
        httpx.AsyncClient(base_url=f"http://{host_b}", timeout=60) as b,
    ):
        await fanout(people, conv, (host_a, host_b), (a, b), args, _rss_mb)
        await _throughput(ch, people, conv, a, b, host_a, host_b, args)


async def fanout(
    people: People,
    conv: str,
    hosts: tuple[str, str],
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient],
    args: argparse.Namespace,
    memory: Callable[[], float],
    label: str = "process (client and server sides)",
) -> None:
    """`args.subscribers` `messageAdded` subscribers, alternately on `hosts`; `args.messages`
    messages posted one at a time, alternately through `clients`; post → delivered latency."""
    received: asyncio.Queue[tuple[float, dict[str, Any]]] = asyncio.Queue()
    stop = asyncio.Event()
    rss0 = memory()
    tasks, readies = [], []
    for i in range(args.subscribers):
        ready = asyncio.Event()
        readies.append(ready)
        host = hosts[i % 2]
        tasks.append(asyncio.create_task(_subscriber(host, people, conv, ready, received, stop)))
        if i % 100 == 99:
            await asyncio.gather(*(r.wait() for r in readies))
    await asyncio.gather(*(r.wait() for r in readies))
    await asyncio.sleep(1.0)
    rss1 = memory()
    print(
        f"subscribers: {args.subscribers} (half on each instance); {label} RSS +{rss1 - rss0:.0f} MB "
        f"= {(rss1 - rss0) * 1024 / max(1, args.subscribers):.0f} KB per subscriber"
    )
    # fan-out latency: one message at a time
    sent_at: dict[str, float] = {}
    latencies: list[float] = []
    for n in range(args.messages):
        body = f"fanout-{n}"
        sent_at[body] = time.perf_counter()
        await _post(clients[n % 2], people, conv, body)
        await asyncio.sleep(args.gap)
    deadline = time.perf_counter() + 30
    expected = args.subscribers * args.messages
    got = 0
    while got < expected and time.perf_counter() < deadline:
        with contextlib.suppress(TimeoutError):
            at, message = await asyncio.wait_for(received.get(), 1.0)
            got += 1
            latencies.append(at - sent_at[message["body"]])
    print(
        f"fan-out: {args.messages} messages x {args.subscribers} subscribers: delivered {got}/{expected} "
        f"(lost {expected - got}); latency post→delivered (includes the mutation) p50 {_pct(latencies, 0.5):.1f} ms, "
        f"p99 {_pct(latencies, 0.99):.1f} ms, max {_pct(latencies, 1.0):.1f} ms"
    )
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    if PROBLEMS:
        print(f"subscription problems: {len(PROBLEMS)}, first: {PROBLEMS[0]}")


async def _throughput(
    ch: ChatHarness,
    people: People,
    conv: str,
    a: httpx.AsyncClient,
    b: httpx.AsyncClient,
    host_a: str,
    host_b: str,
    args: argparse.Namespace,
) -> None:
    """`clients` writers, each on its own conversation (messages of one conversation are
    numbered under its row lock), alternating instances; every conversation has one
    subscriber on each instance, and each must receive every message once."""
    inbox = await ch.inbox(people, routing="MANUAL")
    convs = [(await ch.start(people, inbox))["conversation"]["id"] for _ in range(args.clients)]
    received: asyncio.Queue[tuple[float, dict[str, Any]]] = asyncio.Queue()
    stop = asyncio.Event()
    readies = [asyncio.Event() for _ in range(2 * len(convs))]
    watchers = [
        asyncio.create_task(
            _subscriber((host_a, host_b)[i % 2], people, convs[i // 2], r, received, stop)
        )
        for i, r in enumerate(readies)
    ]
    await asyncio.gather(*(r.wait() for r in readies))
    await asyncio.sleep(1.0)
    per_client = args.burst // args.clients
    started = time.perf_counter()

    async def client(k: int) -> None:
        for n in range(per_client):
            await _post(a if (k + n) % 2 == 0 else b, people, convs[k], f"burst-{k}-{n}")

    await asyncio.gather(*(client(k) for k in range(args.clients)))
    elapsed = time.perf_counter() - started
    total = per_client * args.clients
    expected = 2 * total
    seen: list[str] = []
    deadline = time.perf_counter() + 30
    while len(seen) < expected and time.perf_counter() < deadline:
        with contextlib.suppress(TimeoutError):
            seen.append((await asyncio.wait_for(received.get(), 1.0))[1]["body"])
    stop.set()
    await asyncio.gather(*watchers, return_exceptions=True)
    counts = {body: seen.count(body) for body in set(seen)}
    lost = expected - len(seen)
    wrong = sum(1 for c in counts.values() if c != 2)
    print(
        f"throughput: {total} messages from {args.clients} concurrent clients ({args.clients} conversations) "
        f"over both instances in {elapsed:.1f} s = {total / elapsed:.0f} messages/s committed; "
        f"{2 * len(convs)} subscribers received {len(seen)}/{expected} (lost {lost}, "
        f"messages not seen exactly once per subscriber: {wrong})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--redis", default=os.environ.get("TEST_REDIS_URL", REDIS_URL))
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--gap", type=float, default=0.05)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--burst", type=int, default=400)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
