# ruff: noqa: E501
"""File uploads through the router: throughput, latency and memory while streaming.

    .venv/bin/python -m bench.files.run                          # 20 uploads of 8 MiB
    .venv/bin/python -m bench.files.run --count 10 --size-mib 16 --backend postgres

The files subgraph (identity in the same runtime) and the router run on uvicorn on ephemeral
127.0.0.1 ports in this process; each upload is a GraphQL multipart request (PNG header plus
filler bytes) sent to the router, which spools it and streams it to the files subgraph, which
sniffs, hashes and stores it on the local backend. Then every file is downloaded once through
its signed URL. Resident memory is sampled around the run: with spooling it should grow by far
less than the bytes moved.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import httpx

from bench.chat.run import _pct, _rss_mb
from router.app import build_app as build_router
from router.compose.compose import compose
from router.compose.result import SubgraphSource
from router.config import RouterConfig
from router.routes_config import PassthroughRoute, UploadsConfig
from saas_platform.tenancy.testing import tenancy_env
from subgraphs.files.app import build_schema
from subgraphs.kit.federation import print_sdl
from tests.conftest import POSTGRES_URL
from tests.subgraphs.chat.servers import serve
from tests.subgraphs.files.harness import PNG, UPLOAD, files_config, files_harness, multipart


async def run(count: int, size: int, backend: str) -> None:
    uploads = UploadsConfig(max_request_bytes=size + 1024 * 1024, max_file_bytes=size + 1024)
    payload = PNG + b"\x00" * (size - len(PNG))
    with tempfile.TemporaryDirectory() as tmp:
        admin = POSTGRES_URL if backend == "postgres" else None
        async with tenancy_env(backend, Path(tmp), admin) as env:
            config = files_config(Path(tmp) / "files", max_bytes=size, tenant_quota_bytes=0)
            async with files_harness(env, config) as fh, serve(fh.app) as files_host:
                sdl = print_sdl(build_schema())
                result = compose([SubgraphSource("files", f"http://{files_host}/graphql", sdl)])
                assert result.supergraph_sdl is not None, result.errors
                router = build_router(
                    RouterConfig(hot_reload=False, request_timeout=60.0, uploads=uploads,
                                 passthrough_routes=(PassthroughRoute("/files/", "files"),),
                                 propagate_headers=("authorization", "x-tenant-id")),
                    supergraph_sdl=result.supergraph_sdl,
                )  # fmt: skip
                async with serve(router) as host:
                    await _measure(fh, f"http://{host}", count, payload)


async def _measure(fh: object, router_url: str, count: int, payload: bytes) -> None:
    from tests.subgraphs.files.harness import FilesHarness

    assert isinstance(fh, FilesHarness)
    tenant = await fh.tenant()
    headers = {
        "x-tenant-id": tenant.id,
        "authorization": f"Bearer {tenant.owner_token}",
        "apollo-require-preflight": "1",
    }
    uploads: list[float] = []
    urls: list[str] = []
    rss_before = _rss_mb()
    rss_peak = rss_before
    async with httpx.AsyncClient(base_url=router_url, timeout=120) as client:
        started = time.perf_counter()
        for i in range(count):
            t0 = time.perf_counter()
            response = await client.post(
                "/graphql", headers=headers, **multipart(UPLOAD, f"f{i}.png", payload, "image/png")
            )
            uploads.append(time.perf_counter() - t0)
            body = response.json()
            result = body["data"]["uploadFile"]
            assert result["userErrors"] == [], result
            urls.append(result["file"]["downloadUrl"])
            rss_peak = max(rss_peak, _rss_mb())
        upload_seconds = time.perf_counter() - started
        started = time.perf_counter()
        downloaded = 0
        for url in urls:
            async with client.stream("GET", url) as stream:
                async for chunk in stream.aiter_bytes():
                    downloaded += len(chunk)
        download_seconds = time.perf_counter() - started
        started = time.perf_counter()
        for url in urls:  # the same links on the router's origin (passthrough_routes)
            async with client.stream("GET", "/files/" + url.rsplit("/files/", 1)[1]) as stream:
                async for chunk in stream.aiter_bytes():
                    downloaded += len(chunk)
        routed_seconds = time.perf_counter() - started
    assert downloaded == 2 * len(payload) * count
    mib = len(payload) * count / (1024 * 1024)
    print(f"uploads: {count} x {len(payload) / 1048576:.1f} MiB through the router")
    print(
        f"  {mib / upload_seconds:.1f} MiB/s, p50 {_pct(uploads, 0.5):.0f} ms, p95 {_pct(uploads, 0.95):.0f} ms"
    )
    print(f"downloads via signed URLs: {mib / download_seconds:.1f} MiB/s")
    print(f"the same through the router's /files/ passthrough: {mib / routed_seconds:.1f} MiB/s")
    print(
        f"RSS: before {rss_before:.0f} MiB, peak {rss_peak:.0f} MiB (+{rss_peak - rss_before:.0f} MiB for {mib:.0f} MiB moved; client copies included)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--size-mib", type=float, default=8)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    count = max(1, min(args.count, 200))  # bounded: a shared machine
    size = int(min(args.size_mib, 64) * 1024 * 1024)
    asyncio.run(run(count, size, args.backend))


if __name__ == "__main__":
    main()
