"""Chat app instances served by uvicorn on 127.0.0.1 (several per test: same tenant DB,
separate runtimes, pools and pub/sub hubs, as separate processes would have)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from saas_platform.settings import Settings
from saas_platform.tenancy.runtime import build_runtime
from subgraphs.chat.app import build_app
from subgraphs.chat.deps import ChatDeps
from subgraphs.chat.presence import MemoryPresence
from subgraphs.kit.pubsub import PubSub
from tests.ports import free_port
from tests.subgraphs.chat.harness import ChatHarness


@asynccontextmanager
async def serve(app: Any) -> AsyncIterator[str]:
    """`http://127.0.0.1:<port>` serving `app` until the block ends."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 (uvicorn exposes a flag, not an event)
        await asyncio.sleep(0.02)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@asynccontextmanager
async def second_instance(
    ch: ChatHarness, pubsub_url: str = "memory://", heartbeat_timeout: float = 3.0
) -> AsyncIterator[Any]:
    """Another chat app on its own runtime (engines, pool, pub/sub) over the same tenants."""
    settings = ch.identity.provisioner.settings
    runtime = build_runtime(settings)
    runtime.scopes.authenticator = ch.identity.runtime.scopes.authenticator
    hub = PubSub(pubsub_url, heartbeat_timeout=heartbeat_timeout)
    deps = ChatDeps(pubsub=hub, presence=MemoryPresence())
    await deps.pubsub.connect()
    try:
        yield build_app(runtime, deps)
    finally:
        await deps.pubsub.disconnect()
        await runtime.aclose()


@asynccontextmanager
async def chat_processes(settings: Settings, count: int = 2) -> AsyncIterator[list[str]]:
    """`count` `saas-platform subgraph chat` processes on ephemeral ports over the harness's
    databases, verifying tokens with the JWKS of a `saas-platform subgraph identity` process
    (as in production); every process started here is stopped by its pid at the end."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    if settings.database_url:
        env["DATABASE_URL"] = settings.database_url
    env.update(
        DATA_DIR=str(settings.data_dir),
        TENANT_DB_PREFIX=settings.tenant_db_prefix,
        TENANT_POOL_SIZE="4",
        DB_POOL_TIMEOUT="20",
    )
    started: list[subprocess.Popen[bytes]] = []
    try:
        (identity,) = await _start(started, ["identity"], env)
        env["AUTH_JWKS_URL"] = f"http://{identity}/.well-known/jwks.json"
        yield await _start(started, ["chat"] * count, env)
    finally:
        for proc in started:  # only the processes started here, by pid
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


async def _start(
    started: list[subprocess.Popen[bytes]], names: list[str], env: dict[str, str]
) -> list[str]:
    cli = str(Path(sys.executable).parent / "saas-platform")
    hosts: list[str] = []
    procs: list[subprocess.Popen[bytes]] = []
    for name in names:
        port = free_port()
        proc = subprocess.Popen(  # noqa: ASYNC220 (start-up, not timed)
            [cli, "subgraph", name, "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(proc)
        procs.append(proc)
        hosts.append(f"127.0.0.1:{port}")
    async with httpx.AsyncClient() as client:
        for host, proc in zip(hosts, procs, strict=True):
            for _ in range(300):  # up to ~60 s on a loaded machine
                assert proc.poll() is None, f"{proc.args} exited with {proc.returncode}"
                try:
                    if (await client.get(f"http://{host}/health", timeout=2)).is_success:
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.2)
            else:
                raise TimeoutError(host)
    return hosts
