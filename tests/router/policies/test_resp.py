"""The rate limiter's lean Redis client (router.policies.resp): RESP parsing, pipelined calls
matched in order (also after a call timed out), NOSCRIPT fallback, AUTH-less URL handling, a
lost connection reopened; against real Redis servers."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from redisproc import throwaway_redis

from router.policies.resp import RespClient, RespError, RespScript, _Incomplete, pack, parse


def test_pack_and_parse() -> None:
    assert pack("GET", "k", 1) == b"*3\r\n$3\r\nGET\r\n$1\r\nk\r\n$1\r\n1\r\n"
    reply = b"*3\r\n:1\r\n$3\r\nabc\r\n*2\r\n$-1\r\n+OK\r\n"
    assert parse(reply) == ([1, b"abc", [None, b"OK"]], len(reply))
    for cut in range(1, len(reply)):
        with pytest.raises(_Incomplete):
            parse(reply[:cut])
    error, end = parse(b"-NOSCRIPT No matching script\r\n")
    assert isinstance(error, RespError)
    assert str(error).startswith("NOSCRIPT")
    assert end == 30


def test_only_plain_redis_urls() -> None:
    client = RespClient("redis://:s%40cret@10.0.0.1:6380/3", 0.1)
    assert (client.host, client.port, client.db, client.password) == ("10.0.0.1", 6380, 3, "s@cret")
    with pytest.raises(ValueError, match="scheme"):
        RespClient("rediss://host:6380/0", 0.1)


@pytest.mark.redis
async def test_pipelined_calls_and_script() -> None:
    with throwaway_redis() as server:  # SCRIPT FLUSH: not on the shared server
        client = RespClient(server.url, 1.0)
        replies = await asyncio.gather(*(client.call("INCR", "n") for _ in range(50)))
        assert sorted(replies) == list(range(1, 51))
        script = RespScript(client, "return {tonumber(ARGV[1]) + 1, KEYS[1]}")
        await client.call("SCRIPT", "FLUSH")  # the first call falls back to EVAL
        assert await script(keys=["n"], args=[41]) == [42, b"n"]
        assert await script(keys=["n"], args=[1]) == [2, b"n"]
        with server.client() as sync:
            stats = sync.info("commandstats")
        assert stats["cmdstat_eval"]["calls"] == 1
        assert stats["cmdstat_evalsha"]["calls"] == 2  # NOSCRIPT once, then found
        with pytest.raises(RespError):
            await client.call("INCR", "a", "b")  # wrong number of arguments
        assert await client.call("GET", "n") == b"50"  # the connection is still in step
        client.close()


@pytest.mark.redis
async def test_a_timed_out_reply_is_not_given_to_the_next_call(redis_url: str) -> None:
    client = RespClient(redis_url, 0.05)
    key = f"test:resp:{uuid.uuid4().hex}"
    try:
        with pytest.raises(TimeoutError):
            await client.call("BLPOP", key, "0.3")  # the server answers nil after 0.3 s
        client.timeout = 2.0
        assert await client.call("PING") == b"PONG"  # not BLPOP's late nil
    finally:
        client.close()


@pytest.mark.redis
async def test_a_lost_connection_is_reopened() -> None:
    with throwaway_redis() as server:
        client = RespClient(server.url, 0.5)
        assert await client.call("PING") == b"PONG"
        server.kill()
        with pytest.raises(ConnectionError):
            await client.call("PING")
        server.start()
        assert await client.call("PING") == b"PONG"
        client.close()
