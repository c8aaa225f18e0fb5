"""End to end over real HTTP: the identity app served by uvicorn on loopback.

sign-up -> invite -> accept -> login -> refresh -> a protected field; and a separate
process-like verifier that only knows the JWKS URL accepts the same access token.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import uvicorn
from starlette.types import ASGIApp

from saas_platform.tenancy.testing import TenancyEnv
from subgraphs.identity.app import build_app
from subgraphs.kit.auth import Authenticator, JwksKeySource, PrincipalKind
from subgraphs.kit.ids import TenantId
from tests.ports import free_port
from tests.subgraphs.identity.harness import (
    ACCEPT,
    INVITE,
    LOGIN,
    PASSWORD,
    REFRESH,
    SIGN_UP,
    identity_harness,
)


@asynccontextmanager
async def serve(app: ASGIApp) -> AsyncIterator[str]:
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(200):
            if server.started:
                break
            await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def post(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any], **headers: str
) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query, "variables": variables},
                                 headers=headers)  # fmt: skip
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert not body.get("errors"), body
    return body["data"]


async def test_sign_up_invite_accept_login_refresh_protected_field(env: TenancyEnv) -> None:
    async with identity_harness(env) as harness:
        tenant = await harness.tenant()
        app = build_app(harness.runtime, harness.deps)
        async with serve(app) as url, httpx.AsyncClient(base_url=url, timeout=10) as client:
            t = {"x-tenant-id": tenant.id}
            founder = {"email": "founder@acme.test", "name": "Founder", "password": PASSWORD}
            owner = (await post(client, SIGN_UP, founder, **t))["signUp"]
            assert owner["userErrors"] == []
            bearer = {"authorization": f"Bearer {owner['accessToken']}"}
            invite = {"email": "agent@acme.test", "role": "agent"}
            invited = await post(client, INVITE, invite, **t, **bearer)
            assert invited["inviteUser"]["userErrors"] == []
            token = harness.mailer.last("agent@acme.test", "invitation").token
            acceptance = {"token": token, "name": "Agent", "password": PASSWORD}
            accepted = await post(client, ACCEPT, acceptance, **t)
            assert accepted["acceptInvitation"]["user"]["role"] == "agent"
            credentials = {"email": "agent@acme.test", "password": PASSWORD}
            login = (await post(client, LOGIN, credentials, **t))["login"]
            refreshed = (await post(client, REFRESH, {"t": login["refreshToken"]}, **t))[
                "refreshToken"
            ]
            assert refreshed["userErrors"] == []
            access = refreshed["accessToken"]
            protected = await post(
                client, "{ me { email role } users { edges { node { email } } } }", {}, **t,
                authorization=f"Bearer {access}",
            )  # fmt: skip
            assert protected["me"] == {"email": "agent@acme.test", "role": "agent"}
            assert len(protected["users"]["edges"]) == 2

            # another service, knowing only the JWKS URL, verifies the same token
            verifier = Authenticator(JwksKeySource(f"{url}/.well-known/jwks.json"))
            principal = await verifier.authenticate(
                f"Bearer {access}", TenantId(uuid.UUID(tenant.id))
            )
            assert principal is not None
            assert principal.kind is PrincipalKind.USER
            assert principal.roles == ("agent",)
            assert principal.can("tickets:write")
            assert not principal.can("users:manage")
