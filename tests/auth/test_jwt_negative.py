"""JWT negative matrix: every forged, expired, misdirected or mistyped credential sent to the
identity app gets the same UNAUTHENTICATED error (RFC 8725; anchors §4)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from tests.subgraphs.identity.harness import LOGIN, ME, PASSWORD, Harness, Tenant

UNIFORM = {"message": "Authentication required.", "code": "UNAUTHENTICATED"}


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def segments(header: dict[str, Any], claims: dict[str, Any]) -> str:
    head = b64(json.dumps(header).encode())
    body = b64(json.dumps(claims).encode())
    return f"{head}.{body}"


def hs256_with(secret: bytes, header: dict[str, Any], claims: dict[str, Any]) -> str:
    signing_input = segments({**header, "alg": "HS256"}, claims)
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(mac)}"


class Forge:
    """Builds tokens from a genuine one: same claims and kid unless told otherwise."""

    def __init__(self, harness: Harness, tenant: Tenant, other: Tenant) -> None:
        self.harness, self.tenant, self.other = harness, tenant, other
        self.key = harness.deps.keyring.signing_key()
        self.claims: dict[str, Any] = jwt.decode(
            tenant.owner_token, options={"verify_signature": False}
        )
        self.header = {"alg": "EdDSA", "typ": "at+jwt", "kid": self.key.kid}
        self.harness_token = tenant.owner_token

    def sign(
        self,
        claims: dict[str, Any] | None = None,
        header: dict[str, Any] | None = None,
        drop: tuple[str, ...] = (),
        key: Any = None,
        algorithm: str = "EdDSA",
    ) -> str:
        payload = {k: v for k, v in {**self.claims, **(claims or {})}.items() if k not in drop}
        headers = {**self.header, **(header or {})}
        headers.pop("alg", None)
        return jwt.encode(
            payload, key or self.key.private_key, algorithm=algorithm, headers=headers
        )

    def now(self, offset: int = 0) -> int:
        return int(time.time()) + offset


def _public_pem(forge: Forge) -> bytes:
    return forge.key.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _flip(text: str, index: int) -> str:
    return text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1 :]


def _tampered_payload(forge: Forge) -> str:
    head, body, sig = forge.harness_token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["scope"] = claims["scope"] + " billing:manage"
    claims["roles"] = ["owner"]
    return f"{head}.{b64(json.dumps(claims).encode())}.{sig}"


CASES: dict[str, Callable[[Forge], str]] = {
    "alg none": lambda f: segments({**f.header, "alg": "none"}, f.claims) + ".",
    "alg none signed by pyjwt": lambda f: jwt.encode(
        f.claims, None, algorithm="none", headers={"typ": "at+jwt", "kid": f.key.kid}
    ),
    "HS256 with our public key (PEM)": lambda f: hs256_with(_public_pem(f), f.header, f.claims),
    "HS256 with our public key (JWK JSON)": lambda f: hs256_with(
        json.dumps(f.key.public_jwk()).encode(), f.header, f.claims
    ),
    "RS256 by a foreign key reusing our kid": lambda f: f.sign(
        key=rsa.generate_private_key(public_exponent=65537, key_size=2048),
        algorithm="RS256",
        header={"alg": "RS256"},
    ),
    "EdDSA by a foreign key reusing our kid": lambda f: f.sign(
        key=ed25519.Ed25519PrivateKey.generate()
    ),
    "attacker-signed token for another tenant": lambda f: f.sign(
        claims={"tid": f.other.id}, key=ed25519.Ed25519PrivateKey.generate()
    ),
    "unknown kid": lambda f: f.sign(header={"kid": "no-such-key"}),
    "kid path traversal": lambda f: f.sign(header={"kid": "../../dev/null"}),
    "kid SQL injection": lambda f: f.sign(header={"kid": "' OR 1=1--"}),
    "missing kid": lambda f: jwt.encode(
        f.claims, f.key.private_key, algorithm="EdDSA", headers={"typ": "at+jwt"}
    ),
    "missing exp": lambda f: f.sign(drop=("exp",)),
    "expired beyond leeway": lambda f: f.sign(claims={"exp": f.now(-120), "iat": f.now(-720)}),
    "nbf in the future": lambda f: f.sign(claims={"nbf": f.now(600)}),
    "iat far in the future": lambda f: f.sign(claims={"iat": f.now(3600), "exp": f.now(4000)}),
    "wrong iss": lambda f: f.sign(claims={"iss": "https://evil.example"}),
    "wrong aud": lambda f: f.sign(claims={"aud": "another-api"}),
    "missing tid": lambda f: f.sign(drop=("tid",)),
    "tid not a uuid": lambda f: f.sign(claims={"tid": "acme"}),
    "missing sub": lambda f: f.sign(drop=("sub",)),
    "missing jti": lambda f: f.sign(drop=("jti",)),
    "tampered payload": _tampered_payload,
    "tampered signature": lambda f: _flip(f.harness_token, len(f.harness_token) - 5),
    "typ JWT instead of at+jwt": lambda f: f.sign(header={"typ": "JWT"}),
    "no typ": lambda f: jwt.encode(
        f.claims, f.key.private_key, algorithm="EdDSA", headers={"kid": f.key.kid, "typ": None}
    ),
    "MFA challenge token as access token": lambda f: f.harness.deps.issuer.mfa_token(
        tenant_id=uuid.UUID(f.tenant.id), user_id=uuid.UUID(f.tenant.owner_id)
    ),
    "unknown alg PS256": lambda f: f.sign(
        key=rsa.generate_private_key(public_exponent=65537, key_size=2048),
        algorithm="PS256",
        header={"alg": "PS256"},
    ),
    "ES256 with our kid": lambda f: segments({**f.header, "alg": "ES256"}, f.claims) + ".c2ln",
    "refresh token as access token": lambda f: f.tenant.owner_refresh,
    "empty token": lambda f: "",
    "garbage": lambda f: "abc.def.ghi",
    "16 KB token": lambda f: f.sign(claims={"pad": "x" * 16_384}),
    "valid token of another tenant": lambda f: f.other.owner_token,
}


@pytest.fixture
async def forge(harness: Harness) -> Forge:
    tenant = await harness.owned_tenant()
    other = await harness.owned_tenant()
    return Forge(harness, tenant, other)


def assert_refused(body: dict[str, Any]) -> None:
    assert body.get("data") in (None, {"me": None}), body
    errors = body["errors"]
    assert [{"message": e["message"], "code": e["extensions"]["code"]} for e in errors] == [
        UNIFORM
    ], body


async def test_matrix_is_large_enough() -> None:
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", list(CASES))
async def test_forged_token_is_unauthenticated(forge: Forge, case: str) -> None:
    token = CASES[case](forge)
    body = await forge.harness.gql(ME, tenant=forge.tenant.id, token=token)
    assert_refused(body)


async def test_genuine_token_is_accepted(forge: Forge) -> None:
    body = await forge.harness.gql(ME, tenant=forge.tenant.id, token=forge.tenant.owner_token)
    assert body["data"]["me"]["id"] == forge.tenant.owner_id


@pytest.mark.parametrize(
    "authorization", ["Basic b3duZXI6cGFzcw==", "Bearer", "Token abc", "bearer  ", "sk_live_x"]
)
async def test_malformed_authorization_headers(forge: Forge, authorization: str) -> None:
    body = await forge.harness.gql(
        ME, tenant=forge.tenant.id, headers={"authorization": authorization}
    )
    assert_refused(body)


async def test_revoked_session_and_deactivated_user(forge: Forge) -> None:
    harness, tenant = forge.harness, forge.tenant
    member = await harness.add_user(tenant, "m@example.test")
    await harness.gql(
        "mutation($t: String!) { logout(refreshToken: $t) { ok } }",
        {"t": tenant.owner_refresh},
        tenant=tenant.id,
    )
    assert_refused(await harness.gql(ME, tenant=tenant.id, token=tenant.owner_token))
    login = await harness.gql(
        LOGIN, {"email": f"owner@{tenant.slug}.test", "password": PASSWORD}, tenant=tenant.id
    )
    owner = login["data"]["login"]["accessToken"]
    await harness.gql(
        "mutation($id: ID!) { deactivateUser(id: $id) { user { id } } }",
        {"id": member["user"]["id"]},
        tenant=tenant.id,
        token=owner,
    )
    assert_refused(await harness.gql(ME, tenant=tenant.id, token=member["accessToken"]))


async def test_forged_tenant_header_with_a_valid_token(forge: Forge) -> None:
    """Token of A with X-Tenant-ID: B: refused, never B's data."""
    body = await forge.harness.gql(ME, tenant=forge.other.id, token=forge.tenant.owner_token)
    assert_refused(body)
    body = await forge.harness.gql(
        ME, token=forge.tenant.owner_token, headers={"x-tenant": forge.other.id}
    )
    assert_refused(body)


async def test_jku_and_x5u_are_never_fetched(forge: Forge) -> None:
    hits: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        hits.append(await reader.read(100))
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        for header in ("jku", "x5u"):
            token = forge.sign(
                header={header: f"http://127.0.0.1:{port}/jwks.json", "kid": "attacker"},
                key=ed25519.Ed25519PrivateKey.generate(),
            )
            assert_refused(await forge.harness.gql(ME, tenant=forge.tenant.id, token=token))
        await asyncio.sleep(0.05)
    finally:
        server.close()
        await server.wait_closed()
    assert hits == []
