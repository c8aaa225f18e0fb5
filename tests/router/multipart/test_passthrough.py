"""Downloads through the router's passthrough route (`/files/` -> the files subgraph), on real
uvicorn servers: the bytes and headers, the files service's refusals passed on, path checks,
header hygiene both ways, and an unreachable or stalled subgraph."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from router.app import build_app as build_router
from router.compose.compose import compose
from router.compose.result import SubgraphSource
from router.config import RouterConfig
from router.routes_config import PassthroughRoute
from subgraphs.files.app import build_schema
from subgraphs.kit.federation import print_sdl
from subgraphs.kit.files import sign_download
from tests.router.multipart.stack import Stack
from tests.subgraphs.chat.servers import free_port, serve
from tests.subgraphs.files.harness import PNG


def _path(url: str) -> str:
    return "/files/" + url.rsplit("/files/", 1)[1]


async def _stored(stack: Stack, tenant: Any, name: str, data: bytes, kind: str) -> dict[str, Any]:
    response = await stack.upload(tenant, name, data, kind)
    assert response.status_code == 200, response.text
    file: dict[str, Any] = response.json()["data"]["uploadFile"]["file"]
    return file


async def _raw_get(host: str, path: str) -> tuple[int, bytes]:
    """GET with the path exactly as written (HTTP clients normalise `..` away)."""
    address, port = host.rsplit(":", 1)
    reader, writer = await asyncio.open_connection(address, int(port))
    writer.write(f"GET {path} HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\n\r\n".encode())
    await writer.drain()
    raw = await reader.read()
    writer.close()
    await writer.wait_closed()
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


async def test_download_through_the_router(stack: Stack) -> None:
    tenant = await stack.fh.tenant()
    stored = await _stored(stack, tenant, "photo.png", PNG, "image/png")
    async with httpx.AsyncClient(base_url=stack.router_url) as client:
        response = await client.get(_path(stored["downloadUrl"]))
        assert response.status_code == 200
        assert response.content == PNG
        headers = response.headers
        assert headers["content-type"] == "image/png"
        assert headers["content-length"] == str(len(PNG))
        assert headers["content-disposition"].startswith('attachment; filename="photo.png"')
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["content-security-policy"] == "default-src 'none'; sandbox"
        assert "no-store" in headers["cache-control"]
        assert headers["etag"] == f'"{stored["sha256"]}"'
        head = await client.head(_path(stored["downloadUrl"]))
        assert head.status_code == 200
        assert head.content == b""
        assert head.headers["content-length"] == str(len(PNG))
        refused = await client.post(_path(stored["downloadUrl"]), content=b"x")
        assert refused.status_code == 405
        assert refused.headers["allow"] == "GET, HEAD"


async def test_refusals_of_the_files_service_pass_through(stack: Stack) -> None:
    a, b = await stack.fh.tenant(), await stack.fh.tenant()
    stored = await _stored(stack, a, "a.txt", b"only for a", "text/plain")
    secret = stack.fh.deps.config.signing_secret
    soon = int(time.time()) + 60
    expired = sign_download(secret, a.id, stored["id"], int(time.time()) - 5)
    foreign = sign_download(secret, b.id, stored["id"], soon)  # B's tenant, A's file id
    forged = sign_download(b"another secret" * 3, a.id, stored["id"], soon)
    valid = sign_download(secret, a.id, stored["id"], soon)
    payload, _ = valid.split(".")
    altered = f"{payload}.{forged.split('.')[1]}"
    cases = {
        expired: (410, "DOWNLOAD_URL_EXPIRED"),
        forged: (403, "DOWNLOAD_URL_BAD_SIGNATURE"),
        altered: (403, "DOWNLOAD_URL_BAD_SIGNATURE"),
        "not-a-token": (403, "DOWNLOAD_URL_MALFORMED"),
        foreign: (404, "FILE_NOT_FOUND"),
    }
    async with httpx.AsyncClient(base_url=stack.router_url) as client:
        for token, (status, code) in cases.items():
            response = await client.get(f"/files/{token}")
            assert response.status_code == status, token
            assert response.json()["error"]["code"] == code
            assert response.headers["cache-control"] == "no-store"
        assert (await client.get(f"/files/{valid}")).content == b"only for a"


@pytest.mark.parametrize(
    "path",
    [
        "/files/../graphql",
        "/files/a/../../health",
        "/files/./x",
        "/files/%2e%2e/graphql",
        "/files/..%2fgraphql",
        "/files/a%2Fb",
        "/files//etc/passwd",
        "/files/a\\..\\b",
        "/files/",
    ],
)
async def test_traversal_in_the_path_is_refused(stack: Stack, path: str) -> None:
    status, body = await _raw_get(stack.router_url.removeprefix("http://"), path)
    assert status == 400, body
    assert orjson.loads(body)["error"]["code"] == "INVALID_PATH"


@dataclass
class Echo:
    """A stand-in subgraph that shows what the router forwarded and answers with hop-by-hop
    and private headers the router must not pass on."""

    seen: list[dict[str, Any]]
    release: asyncio.Event
    ended: asyncio.Event
    completed: bool = False

    def app(self) -> Starlette:
        async def echo(request: Request) -> Response:
            self.seen.append(
                {
                    "path": request.url.path,
                    "query": request.url.query,
                    "headers": dict(request.headers),
                    "body": await request.body(),
                }
            )
            headers = {
                "content-disposition": 'attachment; filename="x.txt"',
                "set-cookie": "session=stolen",
                "x-internal-secret": "42",
                "proxy-authenticate": "Basic",
                "keep-alive": "timeout=5",
            }
            return Response(b"echoed", media_type="text/plain", headers=headers)

        async def stall(_: Request) -> Response:
            await self.release.wait()
            return Response(b"late")

        async def endless(_: Request) -> Response:
            async def chunks() -> AsyncIterator[bytes]:
                try:
                    for _ in range(2048):  # 128 MiB: bounded, so a regression fails, not hangs
                        yield b"x" * 65536
                        await asyncio.sleep(0)
                    self.completed = True
                finally:
                    self.ended.set()

            return StreamingResponse(chunks(), media_type="text/plain")

        routes = [
            Route("/dl/endless", endless),
            Route("/dl/stall", stall),
            Route("/dl/{rest:path}", echo),
            Route("/open/{r}", echo),
        ]
        return Starlette(routes=routes)


@pytest.fixture
async def echo_router() -> AsyncIterator[tuple[Echo, httpx.AsyncClient]]:
    echo = Echo([], asyncio.Event(), asyncio.Event())
    sdl = compose(
        [SubgraphSource("files", "http://127.0.0.1:9/graphql", print_sdl(build_schema()))]
    )
    assert sdl.supergraph_sdl is not None
    async with serve(echo.app()) as upstream:
        config = RouterConfig(
            hot_reload=False,
            subgraph_urls={
                "echo": f"http://{upstream}/graphql",
                "gone": f"http://127.0.0.1:{free_port()}/graphql",
            },
            passthrough_routes=(
                PassthroughRoute("/dl/", "echo", timeout=0.3),
                PassthroughRoute("/open/", "echo", forward_headers=("authorization",)),
                PassthroughRoute("/gone/", "gone"),
                PassthroughRoute("/nowhere/", "not-a-subgraph"),
            ),
        )
        app = build_router(config, supergraph_sdl=sdl.supergraph_sdl)
        try:
            async with (
                serve(app) as host,
                httpx.AsyncClient(base_url=f"http://{host}") as client,
            ):
                yield echo, client
        finally:
            echo.release.set()
            await app.state.passthrough_client.aclose()


async def test_headers_are_filtered_both_ways(
    echo_router: tuple[Echo, httpx.AsyncClient],
) -> None:
    echo, client = echo_router
    sent = {
        "authorization": "Bearer secret",
        "cookie": "session=abc",
        "x-tenant": "acme",
        "range": "bytes=0-3",
        "if-none-match": '"abc"',
        "x-request-id": "req-1",
    }
    response = await client.request("GET", "/dl/a/b.txt?x=1", headers=sent, content=b"body!")
    assert response.status_code == 200
    assert response.content == b"echoed"
    assert response.headers["content-disposition"] == 'attachment; filename="x.txt"'
    for dropped in ("set-cookie", "x-internal-secret", "proxy-authenticate", "keep-alive"):
        assert dropped not in response.headers, dropped
    forwarded = echo.seen[-1]
    assert (forwarded["path"], forwarded["query"]) == ("/dl/a/b.txt", "x=1")
    assert forwarded["body"] == b""
    headers = forwarded["headers"]
    for name in ("authorization", "cookie", "x-tenant"):
        assert name not in headers, name
    assert (headers["range"], headers["if-none-match"]) == ("bytes=0-3", '"abc"')
    assert headers["x-request-id"] == "req-1"
    # a route configured to forward authorization does
    await client.get("/open/x", headers=sent)
    assert echo.seen[-1]["headers"]["authorization"] == "Bearer secret"
    assert "cookie" not in echo.seen[-1]["headers"]


async def test_unreachable_stalled_or_unknown_subgraphs(
    echo_router: tuple[Echo, httpx.AsyncClient],
) -> None:
    _, client = echo_router
    stalled = await client.get("/dl/stall")
    assert stalled.status_code == 504
    assert stalled.json()["error"]["code"] == "SUBGRAPH_TIMEOUT"
    gone = await client.get("/gone/x")
    assert gone.status_code == 502
    assert gone.json()["error"]["code"] == "SUBGRAPH_UNAVAILABLE"
    unknown = await client.get("/nowhere/x")
    assert unknown.status_code == 503
    assert unknown.json()["error"]["code"] == "SUBGRAPH_UNAVAILABLE"


async def test_a_client_leaving_stops_the_upstream_stream(
    echo_router: tuple[Echo, httpx.AsyncClient],
) -> None:
    echo, client = echo_router
    async with client.stream("GET", "/dl/endless") as response:
        assert response.status_code == 200
        received = 0
        async for chunk in response.aiter_raw():
            received += len(chunk)
            if received > 1_000_000:
                break
    # the router noticed the disconnect and closed its side: the subgraph's stream ended
    await asyncio.wait_for(echo.ended.wait(), timeout=20)
    assert not echo.completed
