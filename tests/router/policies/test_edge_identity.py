"""Platform tokens (`jwt.platform_tokens`: operators, no tenant) and the client address the
router sends to subgraphs (`headers.client_ip`), over real HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from policystack import Keys, policy_stack

from router.policies import PolicyConfigError
from router.policies.config import JwtSettings
from router.policies.jwt import TokenVerifier

OPERATORS = "saas-platform-operators"
TENANTS = {"enabled": True, "base_domain": "example.test", "required": True}
JWT = {"enabled": True, "platform_tokens": {"typ": "op+jwt", "audience": OPERATORS}}


def operator(keys: Keys, kid: str | None = None, **claims: Any) -> str:
    claims = {"aud": OPERATORS, "tid": None, "sub": "op-1", "kind": "operator", **claims}
    return keys.token(kid, headers={"typ": "op+jwt"}, **claims)


def code(response: Any) -> str:
    return str(response.json()["errors"][0]["extensions"]["code"])


async def test_platform_token_needs_no_tenant_and_is_forwarded(tmp_path: Path) -> None:
    async with policy_stack(tmp_path, {"tenant": TENANTS, "jwt": JWT}) as stack:
        token = operator(stack.keys)
        response = await stack.post("{ me { id } }", headers=stack.auth(token))
        assert response.json() == {"data": {"me": {"id": "1"}}}  # @authenticated passes
        sent = stack.log[-1]["headers"]
        assert sent["authorization"] == f"Bearer {token}"
        assert "x-tenant-id" not in sent
        # a `tid` claim in a platform token names no tenant either
        tid = operator(stack.keys, tid="acme")
        assert (await stack.post("{ hello }", headers=stack.auth(tid))).status_code == 200
        assert "x-tenant-id" not in stack.log[-1]["headers"]


async def test_platform_token_cannot_act_in_a_tenant(tmp_path: Path) -> None:
    async with policy_stack(tmp_path, {"tenant": TENANTS, "jwt": JWT}) as stack:
        before = len(stack.log)
        auth = stack.auth(operator(stack.keys))
        by_header = await stack.post("{ hello }", headers={**auth, "x-tenant": "acme"})
        by_host = await stack.post("{ hello }", headers={**auth, "host": "acme.example.test"})
        for response in (by_header, by_host):
            assert response.status_code == 401
            assert code(response) == "UNAUTHENTICATED"
        assert len(stack.log) == before  # no subgraph saw them


async def test_wrong_kinds_audiences_and_keys_are_refused(tmp_path: Path) -> None:
    async with policy_stack(tmp_path, {"tenant": TENANTS, "jwt": JWT}) as stack:
        keys = stack.keys
        stranger = keys.add(publish=False)  # signed by a key the JWKS does not publish
        refused = {
            "tenant token with the operator audience": keys.token(aud=OPERATORS),
            "operator token with the tenant audience": operator(keys, aud="saas-platform-api"),
            "operator token signed by an unknown key": operator(keys, kid=stranger),
            "operator token of another issuer": operator(keys, iss="https://evil.test"),
            "operator token without exp": operator(keys, exp=None),
        }
        before = len(stack.log)
        for name, token in refused.items():
            headers = stack.auth(token)
            if "tenant token" in name:
                headers["host"] = "acme.example.test"
            response = await stack.post("{ hello }", headers=headers)
            assert response.status_code == 401, name
            assert code(response) == "UNAUTHENTICATED", name
        assert len(stack.log) == before
        # the tenant token itself still works in its tenant
        ok = await stack.post(
            "{ hello }", headers={**stack.auth(keys.token()), "host": "acme.example.test"}
        )
        assert ok.json() == {"data": {"hello": "world"}}


async def test_platform_tokens_are_off_by_default(tmp_path: Path) -> None:
    async with policy_stack(tmp_path, {"jwt": {"enabled": True}}) as stack:
        response = await stack.post("{ hello }", headers=stack.auth(operator(stack.keys)))
        assert response.status_code == 401


def test_platform_token_settings_are_checked() -> None:
    for bad in ({"typ": "op+jwt"}, {"typ": "at+jwt", "audience": "x"}, {"nope": "1"}):
        with pytest.raises(PolicyConfigError):
            TokenVerifier(JwtSettings(enabled=True, platform_tokens=bad))


async def test_subgraphs_get_the_client_address_not_the_callers_claim(tmp_path: Path) -> None:
    rate = {"trusted_proxies": ["127.0.0.0/8"]}
    # even allowed, renamed or inserted, a caller's x-client-ip never reaches a subgraph
    headers = {"allow": ["x-client-ip"], "rename": {"x-a": "x-client-ip"}}
    headers["insert"] = {"x-client-ip": "7.7.7.7"}
    async with policy_stack(tmp_path, {"rate_limit": rate, "headers": headers}) as stack:
        spoof = {"x-client-ip": "6.6.6.6", "x-a": "6.6.6.6", "x-forwarded-for": "203.0.113.7"}
        assert (await stack.post("{ hello }", headers=spoof)).status_code == 200
        entry = stack.log[-1]
        assert entry["headers"]["x-client-ip"] == "203.0.113.7"  # resolved behind the proxy
        assert entry["client_ip"] == "203.0.113.7"  # what a kit subgraph uses for throttles
        await stack.post("{ hello }", headers={"x-client-ip": "6.6.6.6"})
        assert stack.log[-1]["client_ip"] == "127.0.0.1"  # the real peer, not the claim
        assert stack.log[-1]["headers"]["x-client-ip"] == "127.0.0.1"
    async with policy_stack(tmp_path / "2", {"headers": {"client_ip": ""}}) as stack:
        await stack.post("{ hello }", headers={"x-client-ip": "6.6.6.6"})
        assert "x-client-ip" not in stack.log[-1]["headers"]  # off: not sent, never passed on
        assert stack.log[-1]["client_ip"] == "127.0.0.1"
