"""TOTP replay cache: a code accepted once is refused for the rest of its validity, per user,
in memory and through Redis shared by two identity processes."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest

from saas_platform.tenancy.testing import TenancyEnv
from subgraphs.kit.auth.once import MemoryOnce, RedisOnce
from tests.subgraphs.identity.harness import Harness, identity_harness
from tests.subgraphs.identity.test_mfa_and_throttle import VERIFY, code_for, enrol, login


async def verify(harness: Harness, tenant: str, email: str, code: str) -> list[str]:
    challenge = await login(harness, tenant, email)
    body = await harness.gql(VERIFY, {"t": challenge["mfaToken"], "c": code}, tenant=tenant)
    return [e["code"] for e in body["data"]["verifyMfa"]["userErrors"]]


async def start_of_a_time_step(needed: float = 12.0) -> None:
    """Wait, if need be, for a fresh 30 s TOTP step, so that the code confirmed at enrolment
    and the code recomputed a moment later are the same step's code (no boundary between)."""
    left = 30.0 - time.time() % 30.0
    if left < needed:
        await asyncio.sleep(left + 0.05)


async def test_a_totp_code_is_accepted_once(harness: Harness) -> None:
    tenant = await harness.owned_tenant()
    email = f"owner@{tenant.slug}.test"
    await start_of_a_time_step()
    secret, _ = await enrol(harness, tenant.id, tenant.owner_token)
    # the code confirmed at enrolment is spent already
    assert await verify(harness, tenant.id, email, code_for(secret)) == ["INVALID_MFA_CODE"]
    following = code_for(secret, 30)
    assert await verify(harness, tenant.id, email, following) == []
    assert await verify(harness, tenant.id, email, following) == ["INVALID_MFA_CODE"]


async def test_the_replay_cache_is_per_user(harness: Harness) -> None:
    tenant = await harness.owned_tenant()
    await harness.add_user(tenant, "second@example.test", "admin")
    other = await login(harness, tenant.id, "second@example.test")
    secret_a, _ = await enrol(harness, tenant.id, tenant.owner_token)
    secret_b, _ = await enrol(harness, tenant.id, other["accessToken"])
    # each user spends the same time step once, independently of the other
    assert (
        await verify(harness, tenant.id, f"owner@{tenant.slug}.test", code_for(secret_a, 30)) == []
    )
    assert await verify(harness, tenant.id, "second@example.test", code_for(secret_b, 30)) == []


async def test_memory_once_claims_a_key_once() -> None:
    once = MemoryOnce()
    assert await once.claim("k", 60) is True
    assert await once.claim("k", 60) is False
    assert await once.claim("other", 60) is True


async def test_redis_once_falls_back_to_memory_when_redis_is_down() -> None:
    from redis.asyncio import Redis

    dead = Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    once = RedisOnce(dead, prefix="x:")
    try:
        assert await once.claim("k", 60) is True
        assert await once.claim("k", 60) is False  # still refused: fails closed in memory
    finally:
        await dead.aclose()


@pytest.mark.redis
async def test_a_code_used_on_one_process_is_refused_on_another(
    env: TenancyEnv, redis_url: str
) -> None:
    from redis.asyncio import Redis

    redis = Redis.from_url(redis_url)
    prefix = f"test:{uuid.uuid4().hex}:once:"
    try:
        async with (
            identity_harness(env, once=RedisOnce(redis, prefix)) as one,
            identity_harness(env, once=RedisOnce(redis, prefix)) as two,
        ):
            tenant = await one.owned_tenant()
            email = f"owner@{tenant.slug}.test"
            secret, _ = await enrol(one, tenant.id, tenant.owner_token)
            code = code_for(secret, 30)
            assert await verify(one, tenant.id, email, code) == []
            assert await verify(two, tenant.id, email, code) == ["INVALID_MFA_CODE"]
            keys = [k.decode() async for k in redis.scan_iter(f"{prefix}*")]
            assert len(keys) == 2  # the enrolment's step and this one
            assert all(k.startswith(f"{prefix}totp:user:") for k in keys)
    finally:
        async for key in redis.scan_iter(f"{prefix}*"):
            await redis.delete(key)
        await redis.aclose()
