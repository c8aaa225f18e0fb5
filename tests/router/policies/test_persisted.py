"""Automatic persisted queries and the safelist (manifest) mode."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import orjson
import pytest
import redis.asyncio
from policystack import policy_stack
from redisproc import throwaway_redis


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def apq(digest: str) -> dict[str, object]:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


async def test_apq_register_then_use(tmp_path: Path) -> None:
    async with policy_stack(tmp_path) as stack:
        query = "{ hello }"
        miss = await stack.client.post("/graphql", json={"extensions": apq(sha(query))})
        assert miss.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
        assert miss.json()["errors"][0]["message"] == "PersistedQueryNotFound"
        wrong = await stack.post(query, extensions=apq(sha("{ other }")))
        assert wrong.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"
        registered = await stack.post(query, extensions=apq(sha(query)))
        assert registered.json() == {"data": {"hello": "world"}}
        hit = await stack.client.post("/graphql", json={"extensions": apq(sha(query))})
        assert hit.json() == {"data": {"hello": "world"}}


async def test_apq_store_is_bounded(tmp_path: Path) -> None:
    async with policy_stack(tmp_path, {"persisted_queries": {"apq_max_entries": 2}}) as stack:
        for name in ("a", "b", "c"):
            text = f"{{ {name}: hello }}"
            await stack.post(text, extensions=apq(sha(text)))
        first = await stack.client.post("/graphql", json={"extensions": apq(sha("{ a: hello }"))})
        assert first.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


def manifest(path: Path) -> Path:
    target = path / "manifest.json"
    target.write_bytes(
        orjson.dumps(
            {
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [
                    {
                        "id": "op-hello",
                        "name": "Hello",
                        "type": "query",
                        "body": "query Hello { hello }",
                    }
                ],
            }
        )
    )
    return target


async def test_safelist(tmp_path: Path) -> None:
    policies = {"persisted_queries": {"safelist": str(manifest(tmp_path))}}
    async with policy_stack(tmp_path, policies) as stack:
        by_id = await stack.client.post("/graphql", json={"extensions": apq("op-hello")})
        assert by_id.json() == {"data": {"hello": "world"}}
        same_text = await stack.post("query Hello {\n  hello\n}")
        assert same_text.json() == {"data": {"hello": "world"}}
        other = await stack.post("{ secret }")
        assert other.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"
        unknown = await stack.client.post("/graphql", json={"extensions": apq("nope")})
        assert unknown.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
        registration = await stack.post("{ secret }", extensions=apq(sha("{ secret }")))
        assert "data" not in registration.json()
        assert len(stack.log) == 2


async def test_safelist_require_id(tmp_path: Path) -> None:
    policies = {"persisted_queries": {"safelist": str(manifest(tmp_path)), "require_id": True}}
    async with policy_stack(tmp_path, policies) as stack:
        text = await stack.post("query Hello { hello }")
        assert text.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_ID_REQUIRED"
        by_id = await stack.client.post("/graphql", json={"extensions": apq("op-hello")})
        assert by_id.json() == {"data": {"hello": "world"}}


@pytest.mark.redis
async def test_apq_shared_through_redis(tmp_path: Path, redis_url: str) -> None:
    prefix = f"test:apq:{uuid.uuid4().hex}:"
    section = {"apq_redis_url": redis_url, "apq_key_prefix": prefix}
    query = "{ shared: hello }"
    async with policy_stack(tmp_path / "a", {"persisted_queries": section}) as first:
        registered = await first.post(query, extensions=apq(sha(query)))
        assert registered.json() == {"data": {"shared": "world"}}
    async with policy_stack(tmp_path / "b", {"persisted_queries": section}) as second:
        hit = await second.client.post("/graphql", json={"extensions": apq(sha(query))})
        assert hit.json() == {"data": {"shared": "world"}}
    client = redis.asyncio.Redis.from_url(redis_url)
    await client.delete(prefix + sha(query))
    await client.aclose()


@pytest.mark.redis
async def test_apq_store_killed_counts_as_misses(tmp_path: Path) -> None:
    known, later = "{ known: hello }", "{ later: hello }"
    with throwaway_redis() as server:
        section = {"apq_redis_url": server.url, "apq_key_prefix": "apq:"}
        async with policy_stack(tmp_path, {"persisted_queries": section}) as stack:
            registered = await stack.post(known, extensions=apq(sha(known)))
            assert registered.json() == {"data": {"known": "world"}}
            with server.client() as client:
                assert client.exists("apq:" + sha(known)) == 1
            server.kill()
            hit = await stack.client.post("/graphql", json={"extensions": apq(sha(known))})
            assert hit.json() == {"data": {"known": "world"}}  # the process LRU
            miss = await stack.client.post("/graphql", json={"extensions": apq(sha(later))})
            assert miss.status_code == 200
            assert miss.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
            again = await stack.post(later, extensions=apq(sha(later)))
            assert again.json() == {"data": {"later": "world"}}  # registered in process
            hit = await stack.client.post("/graphql", json={"extensions": apq(sha(later))})
            assert hit.json() == {"data": {"later": "world"}}
