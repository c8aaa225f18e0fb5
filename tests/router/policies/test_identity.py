"""Tenant and token context over real HTTP: host and header tenants, JWT verification against
a local JWKS (negative matrix, kid spray, rotation under load), header propagation."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import time
from pathlib import Path
from typing import Any

import orjson
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from policystack import AUDIENCE, ISSUER, Keys, Stack, policy_stack

TENANTS = {"enabled": True, "base_domain": "example.test", "required": True}
JWT = {"enabled": True}


def code(response: Any) -> str:
    return str(response.json()["errors"][0]["extensions"]["code"])


def host(slug: str) -> dict[str, str]:
    return {"host": f"{slug}.example.test"}


async def test_tenant_from_host_and_header_is_forwarded_verified(tmp_path: Path) -> None:
    async with policy_stack(tmp_path, {"tenant": TENANTS}) as stack:
        response = await stack.post("{ hello }", headers={**host("acme"), "x-tenant-id": "evil"})
        assert response.json() == {"data": {"hello": "world"}}
        sent = stack.log[-1]["headers"]
        assert sent["x-tenant-id"] == "acme"
        response = await stack.post("{ hello }", headers={"x-tenant": "globex", "x-tenant-id": "x"})
        assert response.status_code == 200
        assert stack.log[-1]["headers"]["x-tenant-id"] == "globex"
        assert "x-tenant" not in stack.log[-1]["headers"]
        missing = await stack.post("{ hello }")
        assert missing.status_code == 401
        assert code(missing) == "UNAUTHENTICATED"
        bad = await stack.post("{ hello }", headers={"x-tenant": "../etc"})
        assert code(bad) == "UNAUTHENTICATED"


async def test_valid_token_is_forwarded_with_request_id_and_traceparent(tmp_path: Path) -> None:
    async with policy_stack(
        tmp_path,
        {
            "tenant": TENANTS,
            "jwt": JWT,
            "headers": {"rename": {"x-client": "x-client-name"}, "insert": {"x-router": "1"}},
        },
    ) as stack:
        token = stack.keys.token()
        trace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        headers = {**stack.auth(token), **host("acme"), "x-client": "web", "traceparent": trace}
        response = await stack.post("{ hello }", headers={**headers, "x-request-id": "req-1"})
        assert response.json() == {"data": {"hello": "world"}}
        assert response.headers["x-request-id"] == "req-1"
        sent = stack.log[-1]["headers"]
        assert sent["authorization"] == f"Bearer {token}"
        assert sent["x-tenant-id"] == "acme"
        assert sent["x-request-id"] == "req-1"
        assert sent["x-client-name"] == "web"
        assert sent["x-router"] == "1"
        assert sent["traceparent"].startswith("00-0af7651916cd43dd8448eb211c80319c-")
        assert sent["traceparent"] != trace  # a child span id
        generated = await stack.post("{ hello }", headers=headers)
        assert len(generated.headers["x-request-id"]) == 32


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _forge_hs256(stack: Stack) -> str:
    """HS256 signed with our public JWK as the secret (the CVE-2026-48526 shape)."""
    public = stack.keys.jwks()["keys"][0]
    header = {"alg": "HS256", "typ": "at+jwt", "kid": public["kid"]}
    claims = {"iss": ISSUER, "aud": AUDIENCE, "tid": "acme", "exp": int(time.time()) + 60}
    signing = f"{_b64(orjson.dumps(header))}.{_b64(orjson.dumps(claims))}"
    mac = hmac.new(orjson.dumps(public), signing.encode(), hashlib.sha256).digest()
    return f"{signing}.{_b64(mac)}"


def _none_alg(keys: Keys) -> str:
    header = {"alg": "none", "typ": "at+jwt", "kid": keys.current}
    claims = {"iss": ISSUER, "aud": AUDIENCE, "tid": "acme", "exp": int(time.time()) + 60}
    return f"{_b64(orjson.dumps(header))}.{_b64(orjson.dumps(claims))}."


async def test_negative_token_matrix_is_unauthenticated(tmp_path: Path) -> None:
    async with policy_stack(tmp_path, {"tenant": TENANTS, "jwt": JWT}) as stack:
        keys = stack.keys
        foreign = Keys()
        foreign.ring[keys.current] = Ed25519PrivateKey.generate()
        now = int(time.time())
        cases = {
            "alg none": _none_alg(keys),
            "hs256 with the public key": _forge_hs256(stack),
            "foreign key, our kid": foreign.token(kid=keys.current),
            "unknown kid": keys.token(kid=keys.add(publish=False)),
            "kid path": keys.token(headers={"kid": "../../dev/null"}),
            "missing exp": keys.token(exp=None),
            "expired": keys.token(exp=now - 3600),
            "nbf in the future": keys.token(nbf=now + 3600),
            "iat in the future": keys.token(iat=now + 3600),
            "wrong iss": keys.token(iss="https://evil"),
            "wrong aud": keys.token(aud="other"),
            "wrong typ": keys.token(headers={"typ": "JWT"}),
            "refresh token typ": keys.token(headers={"typ": "refresh+jwt"}),
            "other tenant": keys.token(tid="globex"),
            "no tid": keys.token(tid=None),
            "garbage": "not.a.token",
            "16 KB token": "a" * 16_000,
        }
        for name, token in cases.items():
            response = await stack.post("{ hello }", headers={**stack.auth(token), **host("acme")})
            assert response.status_code == 401, name
            assert code(response) == "UNAUTHENTICATED", name
        response = await stack.post(
            "{ hello }", headers={"authorization": "Basic abc", **host("acme")}
        )
        assert code(response) == "UNAUTHENTICATED"
        assert len(stack.log) == 0  # no subgraph saw any of them


async def test_token_tenant_must_equal_host_tenant(tmp_path: Path) -> None:
    async with policy_stack(tmp_path, {"tenant": TENANTS, "jwt": JWT}) as stack:
        token = stack.keys.token(tid="acme")
        ok = await stack.post("{ hello }", headers={**stack.auth(token), **host("acme")})
        assert ok.json() == {"data": {"hello": "world"}}
        other = await stack.post("{ hello }", headers={**stack.auth(token), **host("globex")})
        assert other.status_code == 401
        assert code(other) == "UNAUTHENTICATED"
        header = await stack.post("{ hello }", headers={**stack.auth(token), "x-tenant": "globex"})
        assert code(header) == "UNAUTHENTICATED"


async def test_kid_spray_costs_one_jwks_fetch(tmp_path: Path) -> None:
    async with policy_stack(
        tmp_path, {"tenant": TENANTS, "jwt": {**JWT, "jwks_min_refetch": 30}}
    ) as stack:
        await stack.post("{ hello }", headers={**stack.auth(stack.keys.token()), **host("acme")})
        before = stack.keys.hits
        sprayed = [stack.keys.token(kid=stack.keys.add(publish=False)) for _ in range(50)]
        results = await asyncio.gather(
            *(stack.post("{ hello }", headers={**stack.auth(t), **host("acme")}) for t in sprayed)
        )
        assert all(r.status_code == 401 for r in results)
        assert stack.keys.hits - before <= 1


@pytest.mark.slow
async def test_key_rotation_under_load_fails_no_request(tmp_path: Path) -> None:
    async with policy_stack(
        tmp_path, {"tenant": TENANTS, "jwt": {**JWT, "jwks_min_refetch": 0.2, "jwks_ttl": 1}}
    ) as stack:
        keys = stack.keys
        failures: list[int] = []
        done = 0
        stop = asyncio.Event()

        async def client() -> None:
            nonlocal done
            while not stop.is_set():
                response = await stack.post(
                    "{ hello }", headers={**stack.auth(keys.token()), **host("acme")}
                )
                if response.status_code != 200 or "errors" in response.json():
                    failures.append(response.status_code)
                done += 1

        async def rotate() -> None:
            for _ in range(4):
                new = keys.add()  # published first ...
                await asyncio.sleep(0.4)
                keys.current = new  # ... used for signing after the refetch interval
                await asyncio.sleep(0.4)
                keys.published = keys.published[-2:]  # the oldest key retires

        clients = [asyncio.create_task(client()) for _ in range(8)]
        await rotate()
        stop.set()
        await asyncio.gather(*clients)
        assert done > 40
        assert failures == []
        assert keys.hits >= 2


def test_correlation_headers_do_not_split_dedup() -> None:
    from router.transport import SubgraphRequest

    auth = ("authorization", "Bearer t")
    a = SubgraphRequest("a", "http://a", b"{}", (auth, ("x-request-id", "1")))
    b = SubgraphRequest(
        "a", "http://a", b"{}", (auth, ("traceparent", "00-x"), ("x-request-id", "2"))
    )
    other = SubgraphRequest("a", "http://a", b"{}", (("authorization", "Bearer u"),))
    assert a.dedup_key == b.dedup_key
    assert a.dedup_key != other.dedup_key


async def test_opaque_credentials_pass_to_subgraphs_unverified(tmp_path: Path) -> None:
    """API keys (`sk_live_...`) are verified by the subgraphs: with `opaque_prefixes` the router
    forwards them (even when a token is required) and grants them nothing itself."""
    jwt = {**JWT, "required": True, "opaque_prefixes": ["sk_live_"]}
    async with policy_stack(tmp_path, {"tenant": TENANTS, "jwt": jwt}) as stack:
        key = "sk_live_abcdefghijklmnopqrstuvwxyz_1a2b3c4d"
        passed = await stack.post("{ hello }", headers={**stack.auth(key), **host("acme")})
        assert passed.json() == {"data": {"hello": "world"}}
        assert stack.log[-1]["headers"]["authorization"] == f"Bearer {key}"
        # anything else that is not a valid JWT is still refused before any subgraph call
        calls = len(stack.log)
        other = await stack.post("{ hello }", headers={**stack.auth("sk_test_x"), **host("acme")})
        assert other.status_code == 401
        assert code(other) == "UNAUTHENTICATED"
        assert len(stack.log) == calls
