"""Router CPU per request with the policies on vs off, minus the network: subgraph answers are
recorded once from the running benchmark subgraphs, then replayed; both routers are timed
alternately in one process (process CPU time), so machine noise hits both alike.

    (cd /tmp/gwb5 && SUBGRAPHS_PORT=4200 node src/subgraphs.js) &   # port as in supergraph
    .venv/bin/python -m bench.policies.inprocess [--n 400] [--rounds 5] [--gateways /tmp/gwb5]

`--otlp` adds a third router, the policies on plus OpenTelemetry tracing exported over OTLP/HTTP
to `bench.policies.otlp_sink` (its own process), and prints the cost of tracing; the exporter's
thread runs in this process, so its CPU (span encoding, export) is counted.

`--redis-url redis://127.0.0.1:6379/0` adds a router with the policies on and the rate limit
in Redis (key prefix `bench:<random>`, deleted afterwards); wall time per request is printed
too, since a Redis round trip is mostly waiting, not CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from bench.policies import keys
from router.config import load_config
from router.pipeline import GraphQLRequest, RequestContext, Router
from router.transport import HttpSubgraphClient, SubgraphClient, SubgraphRequest, SubgraphResponse

HERE = Path(__file__).parent


class Replay:
    def __init__(self, inner: SubgraphClient) -> None:
        self.inner = inner
        self.answers: dict[tuple[str, bytes], SubgraphResponse] = {}

    async def execute(self, request: SubgraphRequest) -> SubgraphResponse:
        key = (request.url, request.body)
        if key not in self.answers:
            self.answers[key] = await self.inner.execute(request)
        return self.answers[key]

    async def aclose(self) -> None:
        await self.inner.aclose()


async def timed(router: Router, request: GraphQLRequest, headers: dict[str, str], n: int) -> float:
    start = time.process_time()
    for _ in range(n):
        context = RequestContext(request_headers=dict(headers))
        error, response = await router.handle(request, context)
        assert error is None, error
        assert "errors" not in response, str(response)[:300]
        orjson.dumps(response)
    return (time.process_time() - start) / n


@contextlib.contextmanager
def otlp_sink() -> Iterator[tuple[str, list[str]]]:
    """(endpoint, output lines) of a collector process started and stopped by pid."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [sys.executable, "-m", "bench.policies.otlp_sink", "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    output: list[str] = []
    try:
        yield f"http://127.0.0.1:{port}", output
    finally:
        process.terminate()
        out, _ = process.communicate(timeout=10)
        output.extend(out.splitlines())


async def run(args: argparse.Namespace) -> None:
    if not args.otlp:
        await _run(args, None)
        return
    with otlp_sink() as (endpoint, output):
        await _run(args, endpoint)
    print("collector:", " ".join(output))


async def _run(args: argparse.Namespace, otlp: str | None) -> None:
    from router.app import build_router

    gateways = Path(args.gateways)
    work = Path(tempfile.mkdtemp())
    keys.main(work)
    jwks: Any = orjson.loads((work / ".well-known" / "jwks.json").read_bytes())
    token = (work / "token").read_text()
    replay = Replay(HttpSubgraphClient())
    supergraph = (gateways / "supergraph.graphql").read_text()
    off = build_router(
        load_config(HERE / "router-off.yaml", env={}), client=replay, supergraph_sdl=supergraph
    )
    on = build_router(
        load_config(HERE / "router-on.yaml", env={}), client=replay, supergraph_sdl=supergraph
    )
    routers = {"off": off, "on": on}
    if otlp is not None:
        config = load_config(HERE / "router-on.yaml", env={}, otlp_endpoint=otlp)
        routers["traced"] = build_router(config, client=replay, supergraph_sdl=supergraph)
    prefix = f"bench:{uuid.uuid4().hex[:8]}"
    if args.redis_url:
        env = {
            "ROUTER_POLICIES__RATE_LIMIT__REDIS_URL": args.redis_url,
            "ROUTER_POLICIES__RATE_LIMIT__KEY_PREFIX": prefix,
        }
        config = load_config(HERE / "router-on.yaml", env=env)
        routers["redis"] = build_router(config, client=replay, supergraph_sdl=supergraph)

    async def fetch(_: str) -> Any:
        return jwks

    for router in routers.values():  # the JWKS comes from memory (the fetch is not timed)
        for hook in router.hooks:
            verifier = getattr(hook, "verifier", None)
            if verifier is not None:
                verifier.jwks._fetch = fetch
    body = orjson.loads((gateways / "request.json").read_bytes())
    request = GraphQLRequest(body["query"], body.get("operationName"))
    headers = {"authorization": f"Bearer {token}", "x-tenant": "acme", "host": "127.0.0.1"}
    base = {"host": "127.0.0.1"}
    sent = {"off": base, "on": headers, "traced": headers, "redis": headers}
    for name, router in routers.items():
        await timed(router, request, sent[name], 20)
    results: dict[str, list[float]] = {name: [] for name in routers}
    wall: dict[str, list[float]] = {name: [] for name in routers}
    for _ in range(args.rounds):
        for name, router in routers.items():
            started = time.perf_counter()
            results[name].append(await timed(router, request, sent[name], args.n))
            wall[name].append((time.perf_counter() - started) / args.n)
    best = {name: min(values) for name, values in results.items()}
    for name, value in best.items():
        print(
            f"{name + ':':7} {value * 1000:.3f} ms CPU per request, "
            f"{min(wall[name]) * 1000:.3f} ms wall (best of {args.rounds})"
        )
    print(f"policies cost {100 * (best['on'] / best['off'] - 1):.1f}% CPU per request")
    if "traced" in best:
        print(
            f"tracing (OTLP) costs {100 * (best['traced'] / best['on'] - 1):.1f}% CPU per request"
        )
        requests = args.rounds * args.n + 20
        for hook in routers["traced"].hooks:
            tracer = getattr(hook, "tracer", None)
            if tracer is not None:
                tracer.force_flush()
                tracer.shutdown()
        print(f"traced requests: {requests}")
    if "redis" in best:
        cost = 100 * (best["redis"] / best["off"] - 1)
        print(f"policies with the rate limit in Redis cost {cost:.1f}% CPU per request")
        limiter = next(h.limiter for h in routers["redis"].hooks if hasattr(h, "limiter"))
        await limiter.aclose()
        import redis.asyncio as aioredis

        client = aioredis.Redis.from_url(args.redis_url)
        await client.delete(*[k async for k in client.scan_iter(prefix + ":*")])
        await client.aclose()
    await replay.aclose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--gateways", default="/tmp/gwb5")
    parser.add_argument("--otlp", action="store_true", help="also time OTLP tracing on")
    parser.add_argument("--redis-url", default="", help="also time the rate limit in Redis")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
