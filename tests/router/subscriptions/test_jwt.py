"""Tokens in `connection_init` through the real edge policy: JWT verified against a JWKS
(EdDSA), tenant header required and equal to the token's `tid`. Bad, expired, foreign-tenant
tokens close with 4403 before `connection_ack`; a valid token's expiry closes the socket."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from subscription_client import (
    Stack,
    close_code,
    collect,
    connect,
    init,
    send,
    start_stack,
    subscribe,
)
from subscription_servers import Recorder, serve

from router.policies.config import JwtSettings, PoliciesConfig, TenantSettings

ISSUER, AUDIENCE = "https://id.test", "router"
KID = uuid.uuid4().hex[:12]
KEY = Ed25519PrivateKey.generate()


def token(**claims: Any) -> str:
    now = int(time.time())
    payload = {"iss": ISSUER, "aud": AUDIENCE, "sub": "u1", "tid": "acme", "iat": now}
    payload.update(nbf=now, exp=now + 600)
    payload.update(claims)
    headers = {"kid": KID, "typ": "at+jwt"}
    return jwt.encode(payload, KEY, algorithm="EdDSA", headers=headers)


async def jwks(_: Request) -> Response:
    jwk = OKPAlgorithm.to_jwk(KEY.public_key(), as_dict=True)
    return JSONResponse({"keys": [{**jwk, "kid": KID, "alg": "EdDSA", "use": "sig"}]})


@pytest.fixture(scope="module")
async def jwt_stack(subgraphs: tuple[str, str, Recorder, Recorder]) -> AsyncIterator[Stack]:
    async with serve(Starlette(routes=[Route("/jwks.json", jwks)])) as url:
        policies = PoliciesConfig(
            tenant=TenantSettings(enabled=True, required=True),
            jwt=JwtSettings(
                enabled=True,
                required=True,
                jwks_url=f"{url}/jwks.json",
                issuer=ISSUER,
                audience=AUDIENCE,
                leeway=0,
            ),
        )
        async for value in start_stack(subgraphs, policies=policies):
            yield value


async def test_valid_token_streams(jwt_stack: Stack) -> None:
    async with await connect(jwt_stack) as ws:
        await init(ws, {"authorization": f"Bearer {token()}", "x-tenant": "acme"})
        await subscribe(ws, "1", "subscription { tenantTicker(count: 2, intervalMs: 5) }")
        got = await collect(ws, "1")
    assert [r["data"]["tenantTicker"] for r in got] == ["acme:1", "acme:2"]


@pytest.mark.parametrize(
    "payload",
    [
        {"authorization": "Bearer not-a-token", "x-tenant": "acme"},
        {"authorization": f"Bearer {token(exp=int(time.time()) - 60)}", "x-tenant": "acme"},
        {"authorization": f"Bearer {token()}", "x-tenant": "globex"},  # tid is acme
        {"x-tenant": "acme"},  # no token, and tokens are required
    ],
    ids=["garbage", "expired", "other-tenant", "missing"],
)
async def test_bad_tokens_close_4403(jwt_stack: Stack, payload: dict[str, str]) -> None:
    async with await connect(jwt_stack) as ws:
        await send(ws, {"type": "connection_init", "payload": payload})
        assert await close_code(ws) == 4403


async def test_token_expiry_mid_stream_closes_4403(jwt_stack: Stack) -> None:
    short = token(exp=int(time.time()) + 2)
    async with await connect(jwt_stack) as ws:
        await init(ws, {"authorization": f"Bearer {short}", "x-tenant": "acme"})
        await subscribe(ws, "1", "subscription { forever(intervalMs: 50) }")
        assert await close_code(ws, seconds=6) == 4403
