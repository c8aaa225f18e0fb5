"""The pooled HTTP/1.1 client against a scripted raw TCP server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from router.transport import (
    FailureKind,
    HttpSubgraphClient,
    HttpTimeouts,
    PooledHttpClient,
    SubgraphRequest,
)
from router.transport.base import SubgraphClient

Reply = Callable[[bytes], Awaitable[bytes | None]]  # request bytes -> response bytes (None: close)


def response(body: bytes, status: str = "200 OK", extra: bytes = b"") -> bytes:
    head = f"HTTP/1.1 {status}\r\ncontent-type: application/json\r\n".encode()
    return head + extra + b"content-length: %d\r\n\r\n" % len(body) + body


class ScriptedServer:
    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self.connections = 0
        self.requests: list[bytes] = []
        self.server: asyncio.Server | None = None

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(
                    next(
                        line.split(b":")[1]
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length")
                    )
                )
                request = head + await reader.readexactly(length)
                self.requests.append(request)
                answer = await self.reply(request)
                if answer is None:
                    break
                writer.write(answer)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    @property
    def url(self) -> str:
        assert self.server is not None
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/graphql"


@pytest.fixture
async def scripted() -> AsyncIterator[Callable[[Reply], Awaitable[ScriptedServer]]]:
    servers: list[ScriptedServer] = []

    async def start(reply: Reply) -> ScriptedServer:
        server = ScriptedServer(reply)
        server.server = await asyncio.start_server(server.handle, "127.0.0.1", 0)
        servers.append(server)
        return server

    yield start
    for server in servers:
        assert server.server is not None
        server.server.close()
        await server.server.wait_closed()


def request(url: str, headers: tuple[tuple[str, str], ...] = ()) -> SubgraphRequest:
    return SubgraphRequest("s", url, b'{"query":"{x}"}', headers)


async def test_keep_alive_reuses_one_connection(
    scripted: Callable[..., Awaitable[ScriptedServer]],
) -> None:
    async def ok(_: bytes) -> bytes:
        return response(b'{"data":{"x":1}}')

    server = await scripted(ok)
    client = PooledHttpClient()
    for _ in range(3):
        result = await client.execute(request(server.url, (("authorization", "Bearer z"),)))
        assert result.failure is None
        assert result.decode() == {"data": {"x": 1}}
    assert server.connections == 1
    assert b"authorization: Bearer z\r\n" in server.requests[0]
    assert server.requests[0].startswith(b"POST /graphql HTTP/1.1\r\n")
    await client.aclose()


async def test_stale_keep_alive_connection_is_retried(
    scripted: Callable[..., Awaitable[ScriptedServer]],
) -> None:
    count = 0

    async def drop_the_second(_: bytes) -> bytes | None:
        nonlocal count
        count += 1
        if count == 2:
            return None  # close the kept-alive connection without answering
        return response(b'{"data":{"n":%d}}' % count)

    server = await scripted(drop_the_second)
    client = PooledHttpClient()
    assert (await client.execute(request(server.url))).decode() == {"data": {"n": 1}}
    assert (await client.execute(request(server.url))).decode() == {"data": {"n": 3}}
    assert server.connections == 2
    await client.aclose()


async def test_chunked_body(scripted: Callable[..., Awaitable[ScriptedServer]]) -> None:
    async def chunked(_: bytes) -> bytes:
        return (
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
            b'5\r\n{"dat\r\n'
            b'b\r\na":{"x":2}}\r\n0\r\n\r\n'
        )

    server = await scripted(chunked)
    client = PooledHttpClient()
    assert (await client.execute(request(server.url))).decode() == {"data": {"x": 2}}
    await client.aclose()


@pytest.mark.parametrize("factory", [PooledHttpClient, HttpSubgraphClient])
async def test_failures_are_values(
    scripted: Callable[..., Awaitable[ScriptedServer]], factory: Callable[..., SubgraphClient]
) -> None:
    async def error_page(_: bytes) -> bytes:
        return response(b"<html>oops</html>", "502 Bad Gateway")

    async def graphql_error(_: bytes) -> bytes:
        return response(b'{"errors":[{"message":"bad"}]}', "400 Bad Request")

    async def hang(_: bytes) -> bytes:
        await asyncio.sleep(5)
        return response(b"{}")

    client = factory(HttpTimeouts(connect=1.0, read=0.2))
    status = await client.execute(request((await scripted(error_page)).url))
    assert status.failure is not None
    assert status.failure.kind is FailureKind.HTTP_STATUS
    assert status.failure.status == 502
    if factory is PooledHttpClient:
        passed = await client.execute(request((await scripted(graphql_error)).url))
        assert passed.failure is None
        assert passed.decode()["errors"][0]["message"] == "bad"
    slow = await client.execute(request((await scripted(hang)).url))
    assert slow.failure is not None
    assert slow.failure.kind is FailureKind.TIMEOUT
    refused = await client.execute(request("http://127.0.0.1:9/graphql"))
    assert refused.failure is not None
    assert refused.failure.kind is FailureKind.CONNECT
    await client.aclose()
