"""Profile one router request end to end minus the network: subgraph answers are recorded once
from the running benchmark subgraphs, then replayed.

    node /tmp/gwb/src/subgraphs.js &   # SUBGRAPHS_PORT=47200
    .venv/bin/python -m bench.profile_executor [--planner hand|real] [--n 300] [--cprofile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import time
from pathlib import Path

import orjson

from router.config import RouterConfig
from router.pipeline import GraphQLRequest, RequestContext
from router.transport import (
    HttpSubgraphClient,
    SubgraphClient,
    SubgraphRequest,
    SubgraphResponse,
)

BENCH = Path("/tmp/gwb")


class Recorder:
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


async def run(args: argparse.Namespace) -> None:
    from router.app import build_router

    planner = None
    if args.planner == "hand":
        from bench.handplan import hand_planner

        planner = hand_planner
    recorder = Recorder(HttpSubgraphClient())
    config = RouterConfig(supergraph=BENCH / "supergraph.graphql", dedup=False)
    router = build_router(config, client=recorder, planner=planner)
    body = orjson.loads((BENCH / "request.json").read_bytes())
    request = GraphQLRequest(body["query"], body.get("operationName"))
    expected = orjson.loads((BENCH / "expected.json").read_bytes())
    _, response = await router.handle(request, RequestContext())
    assert response == expected, str(response)[:500]
    print(f"subgraph requests per query: {len(recorder.answers)}")
    profiler = cProfile.Profile() if args.cprofile else None
    if profiler:
        profiler.enable()
    start = time.process_time()
    for _ in range(args.n):
        _, response = await router.handle(request, RequestContext())
        orjson.dumps(response)
    elapsed = time.process_time() - start
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    print(f"{args.n} requests: {elapsed / args.n * 1000:.3f} ms each")
    await recorder.aclose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--planner", choices=["hand", "real"], default="hand")
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--cprofile", action="store_true")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
