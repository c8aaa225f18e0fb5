"""Serve several ASGI apps from one process (the `dev` command), stopping all on SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterator
from dataclasses import dataclass

import uvicorn
from starlette.types import ASGIApp


@dataclass(frozen=True)
class Endpoint:
    name: str
    app: ASGIApp
    host: str
    port: int


class _SharedSignalServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to `serve_all` (one handler for all)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve_all(endpoints: list[Endpoint], *, log_level: str = "warning") -> None:
    """Run every endpoint until SIGTERM/SIGINT, then shut all of them down gracefully."""
    servers = [
        _SharedSignalServer(
            uvicorn.Config(
                e.app,
                host=e.host,
                port=e.port,
                log_level=log_level,
                access_log=False,
                lifespan="on",
                ws_max_size=262_144,
            )
        )
        for e in endpoints
    ]

    def stop() -> None:
        for server in servers:
            server.should_exit = True

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop)
    try:
        tasks = [asyncio.create_task(s.serve()) for s in servers]
        # if one server fails to start, stop the others instead of hanging
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        stop()
        await asyncio.gather(*tasks, return_exceptions=True)
        for task in done:
            task.result()
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
