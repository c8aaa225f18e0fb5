"""A minimal Redis client for the rate limiter's one command per request (EVALSHA): one
pipelined connection (RESP2), replies matched to calls in order, a deadline per call.

Why not redis-py: its asyncio client costs ~120 us of CPU per call here (connection pool,
command machinery, several event-loop turns), this one ~35-50 us, which matters at one call per
request (docs/benchmarks.md). Only `redis://[:password@]host[:port][/db]` URLs are handled;
`build_limiter` keeps redis-py for anything else (TLS, sockets).
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
from typing import Any
from urllib.parse import unquote, urlsplit

Reply = Any  # int | bytes | None | list[Reply]


class RespError(Exception):
    """An error reply (`-ERR ...`, `-NOSCRIPT ...`)."""


class _Incomplete(Exception):
    pass


def pack(*args: bytes | str | int | float) -> bytes:
    """One command as a RESP array of bulk strings."""
    out = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = arg if isinstance(arg, bytes) else str(arg).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


def parse(buffer: bytes | bytearray, start: int = 0) -> tuple[Reply, int]:
    """One reply from `buffer[start:]` and the offset after it; raises `_Incomplete` when the
    buffer does not hold all of it yet. Error replies are returned as `RespError` values."""
    end = buffer.find(b"\r\n", start)
    if end < 0:
        raise _Incomplete
    kind, line = buffer[start : start + 1], bytes(buffer[start + 1 : end])
    after = end + 2
    if kind == b"+":
        return line, after
    if kind == b"-":
        return RespError(line.decode("utf-8", "replace")), after
    if kind == b":":
        return int(line), after
    if kind == b"$":
        size = int(line)
        if size < 0:
            return None, after
        if len(buffer) < after + size + 2:
            raise _Incomplete
        return bytes(buffer[after : after + size]), after + size + 2
    if kind == b"*":
        count = int(line)
        if count < 0:
            return None, after
        items = []
        for _ in range(count):
            item, after = parse(buffer, after)
            items.append(item)
        return items, after
    raise ConnectionError(f"unexpected RESP reply type {kind!r}")


class _Protocol(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.waiters: collections.deque[asyncio.Future[Reply]] = collections.deque()
        self.buffer = bytearray()
        self.lost = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        offset = 0
        try:
            while offset < len(self.buffer):
                reply, offset = parse(self.buffer, offset)
                waiter = self.waiters.popleft()  # a timed-out call's reply is dropped too
                if not waiter.done():
                    waiter.set_result(reply)
        except _Incomplete:
            pass
        except (ConnectionError, ValueError, IndexError) as exc:  # out of step: give up
            self._fail(ConnectionError(f"Redis protocol error: {exc}"))
            if self.transport is not None:
                self.transport.close()
            return
        del self.buffer[:offset]

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(ConnectionError("Redis connection lost"))

    def _fail(self, exc: Exception) -> None:
        self.lost = True
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_exception(exc)


class RespClient:
    """Calls on one lazily opened, pipelined connection; a lost one is reopened on the next
    call. Every call raises `ConnectionError`, `TimeoutError` or `RespError`, or returns."""

    def __init__(self, url: str, timeout: float) -> None:
        parts = urlsplit(url)
        if parts.scheme != "redis":
            raise ValueError(f"unsupported Redis URL scheme {parts.scheme!r}")
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 6379
        self.password = unquote(parts.password) if parts.password else None
        self.username = unquote(parts.username) if parts.username else None
        self.db = int(parts.path.strip("/") or 0)
        self.timeout = timeout
        self._protocol: _Protocol | None = None
        self._connecting: asyncio.Future[_Protocol] | None = None

    async def call(self, *args: bytes | str | int | float) -> Reply:
        protocol = self._protocol
        if protocol is None or protocol.lost:
            protocol = await self._connect()
        return await self._send(protocol, pack(*args))

    async def _send(self, protocol: _Protocol, command: bytes) -> Reply:
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[Reply] = loop.create_future()
        protocol.waiters.append(waiter)
        assert protocol.transport is not None
        protocol.transport.write(command)
        deadline = loop.call_later(self.timeout, _expire, waiter)
        try:
            reply = await waiter
        finally:
            deadline.cancel()
        if isinstance(reply, RespError):
            raise reply
        return reply

    async def _connect(self) -> _Protocol:
        if self._connecting is not None:  # concurrent callers share one attempt
            return await asyncio.shield(self._connecting)
        loop = asyncio.get_running_loop()
        self._connecting = loop.create_future()
        try:
            _, protocol = await asyncio.wait_for(
                loop.create_connection(_Protocol, self.host, self.port), self.timeout
            )
            if self.password is not None:
                auth = (self.username, self.password) if self.username else (self.password,)
                await self._send(protocol, pack("AUTH", *auth))
            if self.db:
                await self._send(protocol, pack("SELECT", self.db))
        except BaseException as exc:
            self._connecting.set_exception(ConnectionError(f"Redis connect failed: {exc!r}"))
            self._connecting.exception()  # retrieved: no "never retrieved" warning
            self._connecting = None
            raise ConnectionError(f"Redis connect failed: {exc!r}") from exc
        self._protocol = protocol
        self._connecting.set_result(protocol)
        self._connecting = None
        return protocol

    def close(self) -> None:
        protocol, self._protocol = self._protocol, None
        if protocol is not None and protocol.transport is not None:
            protocol.transport.close()


def _expire(waiter: asyncio.Future[Reply]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError("Redis call timed out"))


class RespScript:
    """A Lua script run by EVALSHA, loaded with EVAL the first time (or after a flush)."""

    def __init__(self, client: RespClient, source: str) -> None:
        self.client = client
        self.source = source
        self.sha = hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest()

    async def __call__(self, keys: list[str], args: list[Any]) -> Reply:
        try:
            return await self.client.call("EVALSHA", self.sha, len(keys), *keys, *args)
        except RespError as exc:
            if not str(exc).startswith("NOSCRIPT"):
                raise
        return await self.client.call("EVAL", self.source, len(keys), *keys, *args)
