"""TOTP enrolment and login, recovery codes, the tenant MFA policy; login throttling in memory
and through Redis."""

from __future__ import annotations

import base64
import time
import uuid
from typing import Any

import pytest

from saas_platform.tenancy.testing import TenancyEnv
from subgraphs.identity.throttle import RedisThrottle
from subgraphs.identity.totp import totp
from tests.subgraphs.identity.harness import LOGIN, ME, PASSWORD, Harness, identity_harness

VERIFY = """mutation($t: String!, $c: String!) {
  verifyMfa(mfaToken: $t, code: $c) { accessToken userErrors { code } } }"""


def code_for(secret: str, offset: float = 0.0) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return totp(key, time.time() + offset)


async def enrol(harness: Harness, tenant: str, token: str) -> tuple[str, list[str]]:
    body = await harness.gql("mutation { enrollTotp { secret otpauthUri } }", tenant=tenant,
                             token=token)  # fmt: skip
    secret = body["data"]["enrollTotp"]["secret"]
    assert body["data"]["enrollTotp"]["otpauthUri"].startswith("otpauth://totp/")
    wrong = await harness.gql(
        'mutation { confirmTotp(code: "000000") { userErrors { code } } }', tenant=tenant,
        token=token,
    )  # fmt: skip
    if code_for(secret) != "000000":
        assert wrong["data"]["confirmTotp"]["userErrors"] == [{"code": "INVALID_MFA_CODE"}]
    body = await harness.gql(
        "mutation($c: String!) { confirmTotp(code: $c) { recoveryCodes userErrors { code } } }",
        {"c": code_for(secret)}, tenant=tenant, token=token,
    )  # fmt: skip
    codes: list[str] = body["data"]["confirmTotp"]["recoveryCodes"]
    assert len(codes) == 10
    return secret, codes


async def login(harness: Harness, tenant: str, email: str, password: str = PASSWORD) -> Any:
    body = await harness.gql(LOGIN, {"email": email, "password": password}, tenant=tenant)
    return body["data"]["login"]


async def test_totp_login_and_recovery_codes(harness: Harness) -> None:
    tenant = await harness.owned_tenant()
    email = f"owner@{tenant.slug}.test"
    secret, recovery = await enrol(harness, tenant.id, tenant.owner_token)
    first = await login(harness, tenant.id, email)
    assert first["mfaRequired"] is True
    assert first["accessToken"] is None
    # the MFA challenge token is no access token
    me = await harness.gql(ME, tenant=tenant.id, token=first["mfaToken"])
    assert me["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    bad = await harness.gql(VERIFY, {"t": first["mfaToken"], "c": "12345x"}, tenant=tenant.id)
    assert bad["data"]["verifyMfa"]["userErrors"] == [{"code": "INVALID_MFA_CODE"}]
    # the enrolment used the current step's code: a code is accepted once, take the next one
    ok = await harness.gql(VERIFY, {"t": first["mfaToken"], "c": code_for(secret, 30)},
                           tenant=tenant.id)  # fmt: skip
    assert ok["data"]["verifyMfa"]["accessToken"]
    again = await login(harness, tenant.id, email)
    used = await harness.gql(VERIFY, {"t": again["mfaToken"], "c": recovery[0]}, tenant=tenant.id)
    assert used["data"]["verifyMfa"]["accessToken"]
    twice = await harness.gql(VERIFY, {"t": again["mfaToken"], "c": recovery[0]},
                              tenant=tenant.id)  # fmt: skip
    assert twice["data"]["verifyMfa"]["userErrors"] == [{"code": "INVALID_MFA_CODE"}]
    # an MFA token of this tenant is worthless on another
    other = await harness.owned_tenant()
    foreign = await harness.gql(VERIFY, {"t": again["mfaToken"], "c": code_for(secret)},
                                tenant=other.id)  # fmt: skip
    assert foreign["data"]["verifyMfa"]["userErrors"] == [{"code": "INVALID_TOKEN"}]


async def test_tenant_mfa_policy_restricts_until_enrolled(harness: Harness) -> None:
    tenant = await harness.owned_tenant()
    await harness.add_user(tenant, "m@example.test")
    body = await harness.gql(
        "mutation { setMfaRequired(required: true) { policy { mfaRequired } } }",
        tenant=tenant.id,
        token=tenant.owner_token,
    )
    assert body["data"]["setMfaRequired"]["policy"]["mfaRequired"] is True
    member = await login(harness, tenant.id, "m@example.test")
    assert member["mfaEnrollmentRequired"] is True
    users = await harness.gql("{ users { edges { node { id } } } }", tenant=tenant.id,
                              token=member["accessToken"])  # fmt: skip
    assert users["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    await enrol(harness, tenant.id, member["accessToken"])
    challenged = await login(harness, tenant.id, "m@example.test")
    assert challenged["mfaRequired"] is True


async def test_login_throttling_per_account(harness: Harness) -> None:
    tenant = await harness.owned_tenant()
    email = f"owner@{tenant.slug}.test"
    for _ in range(5):
        failed = await login(harness, tenant.id, email, "wrong-password-123")
        assert failed["userErrors"][0]["code"] == "INVALID_CREDENTIALS"
    locked = await login(harness, tenant.id, email)
    assert locked["userErrors"][0]["code"] == "TOO_MANY_ATTEMPTS"
    # the lock is per account: another user of the tenant still logs in
    await harness.add_user(tenant, "x@example.test")
    assert (await login(harness, tenant.id, "x@example.test"))["userErrors"] == []


@pytest.mark.redis
async def test_login_throttling_through_redis(env: TenancyEnv, redis_url: str) -> None:
    from redis.asyncio import Redis

    redis = Redis.from_url(redis_url)
    prefix = f"test:{uuid.uuid4().hex}:"
    throttle = RedisThrottle(redis, prefix=prefix)
    try:
        async with identity_harness(env, throttle=throttle) as harness:
            tenant = await harness.owned_tenant()
            email = f"owner@{tenant.slug}.test"
            for _ in range(5):
                await login(harness, tenant.id, email, "wrong-password-123")
            keys = [k.decode() async for k in redis.scan_iter(f"{prefix}*")]
            assert any(f"t:{tenant.id}:login:acct:" in k for k in keys)
            assert any("login:ip:10.0.0.1" in k for k in keys)
            # a fresh in-memory fallback (another process) still sees Redis' counters
            throttle.fallback = type(throttle.fallback)()
            locked = await login(harness, tenant.id, email)
            assert locked["userErrors"][0]["code"] == "TOO_MANY_ATTEMPTS"
    finally:
        async for key in redis.scan_iter(f"{prefix}*"):
            await redis.delete(key)
        await redis.aclose()
