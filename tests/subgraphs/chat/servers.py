"""Chat app instances served by uvicorn on 127.0.0.1 (several per test: same tenant DB,
separate runtimes, pools and pub/sub hubs, as separate processes would have)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn

from saas_platform.tenancy.runtime import build_runtime
from subgraphs.chat.app import build_app
from subgraphs.chat.deps import ChatDeps
from subgraphs.chat.presence import MemoryPresence
from subgraphs.kit.pubsub import PubSub
from tests.subgraphs.chat.harness import ChatHarness


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


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
