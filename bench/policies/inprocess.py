"""Router CPU per request with the policies on vs off, minus the network: subgraph answers are
recorded once from the running benchmark subgraphs, then replayed; both routers are timed
alternately in one process (process CPU time), so machine noise hits both alike.

    (cd /tmp/gwb5 && SUBGRAPHS_PORT=4200 node src/subgraphs.js) &   # port as in supergraph
    .venv/bin/python -m bench.policies.inprocess [--n 400] [--rounds 5] [--gateways /tmp/gwb5]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
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


async def run(args: argparse.Namespace) -> None:
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

    async def fetch(_: str) -> Any:
        return jwks

    for hook in on.hooks:  # the JWKS comes from memory here (the HTTP fetch is not timed)
        verifier = getattr(hook, "verifier", None)
        if verifier is not None:
            verifier.jwks._fetch = fetch
    body = orjson.loads((gateways / "request.json").read_bytes())
    request = GraphQLRequest(body["query"], body.get("operationName"))
    headers = {"authorization": f"Bearer {token}", "x-tenant": "acme", "host": "127.0.0.1"}
    base = {"host": "127.0.0.1"}
    await timed(off, request, base, 20)
    await timed(on, request, headers, 20)
    results: dict[str, list[float]] = {"off": [], "on": []}
    for _ in range(args.rounds):
        results["off"].append(await timed(off, request, base, args.n))
        results["on"].append(await timed(on, request, headers, args.n))
    best_off, best_on = min(results["off"]), min(results["on"])
    print(f"off: {best_off * 1000:.3f} ms CPU per request (best of {args.rounds})")
    print(f"on:  {best_on * 1000:.3f} ms CPU per request (best of {args.rounds})")
    print(f"policies cost {100 * (best_on / best_off - 1):.1f}% CPU per request")
    await replay.aclose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--gateways", default="/tmp/gwb5")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
