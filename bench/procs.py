"""Processes of the benchmarks that go through our router: subgraphs and routers on ephemeral
127.0.0.1 ports, each stopped by its pid when `processes()` exits (only what was started)."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx
import yaml

from router.compose.compose import compose
from router.compose.result import SubgraphSource
from saas_platform.tenancy.testing import TenancyEnv
from subgraphs.kit.auth import DEFAULT_AUDIENCE, DEFAULT_ISSUER
from subgraphs.registry import subgraph_sdls

__all__ = [
    "ROOT",
    "Started",
    "fetch_counts",
    "free_port",
    "processes",
    "start_router",
    "start_server",
    "start_subgraph",
    "subprocess_env",
    "wait_ready",
]

ROOT = Path(__file__).resolve().parents[1]
Started = list[subprocess.Popen[bytes]]
FETCHES = re.compile(
    r'^router_subgraph_fetch_duration_seconds_count\{subgraph="(\w+)"\} (\S+)$', re.M
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def subprocess_env(env: TenancyEnv, **extra: str) -> dict[str, str]:
    """This process's environment pointed at `env`'s databases, small tenant pools."""
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
def processes() -> Iterator[Started]:
    started: Started = []
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
                raise RuntimeError(f"{proc.args!r} exited with {proc.returncode}")
            try:
                if (await client.get(url, timeout=2)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise TimeoutError(url)


async def start_server(
    started: Started, argv: list[str], env: Mapping[str, str] | None = None
) -> int:
    """Start `argv + ["--port", <free port>]` (output discarded), wait for `/health`."""
    port = free_port()
    proc = subprocess.Popen(  # noqa: ASYNC220 (start-up only, not measured)
        [*argv, "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    started.append(proc)
    await wait_ready(f"http://127.0.0.1:{port}/health", proc)
    return port


async def start_subgraph(started: Started, name: str, env: Mapping[str, str]) -> int:
    """`saas-platform subgraph <name>`."""
    cli = str(Path(sys.executable).parent / "saas-platform")
    return await start_server(started, [cli, "subgraph", name], env)


async def start_router(
    started: Started, folder: Path, subgraphs: Mapping[str, int], identity: int
) -> int:
    """`python -m router` on the registry SDLs of `subgraphs` (name -> port) composed, its
    JWT policy on with identity's JWKS (identity at port `identity`)."""
    folder.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 (start-up only)
    sdls = subgraph_sdls()
    sources = [
        SubgraphSource(name, f"http://127.0.0.1:{port}/graphql", sdls[name][1])
        for name, port in subgraphs.items()
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
                "jwks_url": f"http://127.0.0.1:{identity}/.well-known/jwks.json",
                "issuer": DEFAULT_ISSUER,
                "audience": DEFAULT_AUDIENCE,
            }
        },
    }
    config_path = folder / "router.yaml"
    config_path.write_text(yaml.safe_dump(config))
    argv = [sys.executable, "-m", "router", "--supergraph", str(supergraph)]
    return await start_server(started, [*argv, "--config", str(config_path)])


async def fetch_counts(client: httpx.AsyncClient) -> dict[str, float]:
    """The router's subgraph fetches so far, per subgraph (its `/metrics`)."""
    text = (await client.get("/metrics")).text
    return {name: float(value) for name, value in FETCHES.findall(text)}
