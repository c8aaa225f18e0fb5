"""Dead and slow subgraphs give partial data; the supergraph file is hot-reloaded; SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from tests.router.http.servers import free_port_url, supergraph_sdl
from tests.router.http.stack import Stack, start_router

QUERY = "{ users { name reviews { body } } }"
ROOT = Path(__file__).resolve().parents[3]


async def test_dead_subgraph_gives_partial_data(
    subgraphs: tuple[str, str, list[Any], list[Any]], tmp_path: Path
) -> None:
    dead = {"reviews": free_port_url()}
    async for stack in start_router(subgraphs, tmp_path, subgraph_urls=dead):
        response = await stack.post(QUERY)
        assert response.status_code == 200
        body = response.json()
        assert body["data"] == {
            "users": [{"name": "Ada", "reviews": None}, {"name": "Bob", "reviews": None}]
        }
        (error,) = body["errors"]
        assert error["extensions"] == {"code": "SUBGRAPH_REQUEST_FAILED", "service": "reviews"}
        assert error["path"] == ["users"]
        assert (await stack.router.get("/ready")).status_code == 200
        checked = await stack.router.get("/ready", params={"check": "subgraphs"})
        assert checked.status_code == 503
        assert checked.json()["subgraphs"] == {"accounts": True, "reviews": False}


async def test_slow_subgraph_times_out(
    subgraphs: tuple[str, str, list[Any], list[Any]], tmp_path: Path
) -> None:
    async for stack in start_router(
        subgraphs, tmp_path, request_timeout=0.3, propagate_headers=("x-slow",)
    ):
        started = time.monotonic()
        response = await stack.post(QUERY, headers={"x-slow": "3"})
        assert time.monotonic() - started < 2.5
        body = response.json()
        assert body["data"] is None or body["data"]["users"] is None
        assert body["errors"][0]["extensions"]["code"] == "SUBGRAPH_REQUEST_FAILED"
        assert "timed out" in body["errors"][0]["message"]


async def test_hot_reload_swaps_the_supergraph(stack: Stack) -> None:
    query = "{ me { email } }"
    before = (await stack.post(query)).json()
    assert before["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    new = supergraph_sdl(stack.accounts_url, stack.reviews_url, with_email=True)
    tmp = stack.supergraph.with_suffix(".tmp")
    tmp.write_text(new)
    tmp.replace(stack.supergraph)  # atomic, like deployment tools do
    deadline = time.monotonic() + 10
    while True:
        after = (await stack.post(query)).json()
        if "errors" not in after or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    assert after == {"data": {"me": {"email": "ada@x"}}}


async def test_broken_supergraph_keeps_the_old_one(stack: Stack) -> None:
    stack.supergraph.write_text("this is not a supergraph")
    await asyncio.sleep(1.0)
    response = await stack.post("{ me { name } }")
    assert response.json() == {"data": {"me": {"name": "Ada"}}}


def test_python_m_router_exits_cleanly_on_sigterm(tmp_path: Path) -> None:
    path = tmp_path / "supergraph.graphql"
    path.write_text(supergraph_sdl(free_port_url(), free_port_url()))
    port = free_port_url().rsplit(":", 1)[1].strip("/")
    log = (tmp_path / "router.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "router", "--supergraph", str(path), "--port", port],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError("router did not start")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        log.close()
