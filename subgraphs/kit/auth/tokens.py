"""Access-token verification (RFC 8725, RFC 9068 `at+jwt`).

Checks, in order: size, header shape, `typ` = `at+jwt` (so refresh, MFA or ID tokens are never
accepted as access tokens), `alg` in the allow-list, `kid` known, the key's own algorithm equal
to the header's (no RS/Ed or HS/public-key confusion), signature, required claims, `iss`, `aud`,
`exp`/`nbf`/`iat` with leeway, and a UUID `tid`.

Platform operators get tokens of their own (`typ` `op+jwt`, audience `operator_audience`, no
`tid`, `kind` `operator`): every check above refuses them as access tokens, and
`verify_operator_token` refuses access tokens, so neither can act as the other.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jwt

from subgraphs.kit.auth.errors import UnauthenticatedError
from subgraphs.kit.auth.keys import ALLOWED_ALGORITHMS, KeySource

__all__ = [
    "ACCESS_TOKEN_TYPE",
    "DEFAULT_AUDIENCE",
    "DEFAULT_ISSUER",
    "DEFAULT_OPERATOR_AUDIENCE",
    "MAX_TOKEN_BYTES",
    "OPERATOR_TOKEN_TYPE",
    "REQUIRED_CLAIMS",
    "AccessClaims",
    "OperatorClaims",
    "TokenPolicy",
    "verify_access_token",
    "verify_operator_token",
]

ACCESS_TOKEN_TYPE = "at+jwt"
DEFAULT_ISSUER = "https://identity.saas-platform.local"
DEFAULT_AUDIENCE = "saas-platform-api"
OPERATOR_TOKEN_TYPE = "op+jwt"
DEFAULT_OPERATOR_AUDIENCE = "saas-platform-operators"
OPERATOR_REQUIRED_CLAIMS = ("exp", "iat", "nbf", "iss", "aud", "sub", "jti", "kind")
MAX_TOKEN_BYTES = 8192
REQUIRED_CLAIMS = ("exp", "iat", "nbf", "iss", "aud", "sub", "tid", "jti")


@dataclass(frozen=True, slots=True)
class TokenPolicy:
    issuer: str = DEFAULT_ISSUER
    audience: str = DEFAULT_AUDIENCE
    operator_audience: str = DEFAULT_OPERATOR_AUDIENCE
    algorithms: frozenset[str] = ALLOWED_ALGORITHMS
    leeway: float = 30.0


@dataclass(frozen=True, slots=True)
class AccessClaims:
    subject: uuid.UUID
    tenant_id: uuid.UUID
    roles: tuple[str, ...]
    scope: frozenset[str]
    session_id: str | None
    token_id: str
    kind: str
    expires_at: int


def _fail(reason: str) -> UnauthenticatedError:
    return UnauthenticatedError(reason)


def _header(token: str) -> Mapping[str, Any]:
    if not token or len(token) > MAX_TOKEN_BYTES:
        raise _fail("empty or oversized token")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise _fail("malformed token") from exc
    return header


@dataclass(frozen=True, slots=True)
class OperatorClaims:
    operator_id: uuid.UUID
    email: str
    token_id: str
    expires_at: int


async def verify_access_token(
    token: str, keys: KeySource, policy: TokenPolicy, *, now: float | None = None
) -> AccessClaims:
    """The verified claims of an access token; UnauthenticatedError otherwise."""
    claims = await _verified(
        token, keys, policy, ACCESS_TOKEN_TYPE, policy.audience, REQUIRED_CLAIMS
    )
    return _claims(claims, policy, time.time() if now is None else now)


async def verify_operator_token(
    token: str, keys: KeySource, policy: TokenPolicy, *, now: float | None = None
) -> OperatorClaims:
    """The verified claims of a platform operator's token; UnauthenticatedError otherwise."""
    claims = await _verified(
        token, keys, policy, OPERATOR_TOKEN_TYPE, policy.operator_audience, OPERATOR_REQUIRED_CLAIMS
    )
    moment = time.time() if now is None else now
    iat = claims.get("iat")
    if not isinstance(iat, int | float) or iat > moment + policy.leeway:
        raise _fail("iat in the future")
    if claims.get("kind") != "operator" or "tid" in claims:
        raise _fail("not an operator token (kind, tid)")
    try:
        operator_id = uuid.UUID(str(claims["sub"]))
    except ValueError as exc:
        raise _fail("sub is not a UUID") from exc
    return OperatorClaims(
        operator_id=operator_id,
        email=str(claims.get("email", "")),
        token_id=str(claims["jti"]),
        expires_at=int(claims["exp"]),
    )


async def _verified(
    token: str,
    keys: KeySource,
    policy: TokenPolicy,
    typ: str,
    audience: str,
    required: tuple[str, ...],
) -> dict[str, Any]:
    header = _header(token)
    if header.get("typ") != typ:
        raise _fail(f"not a {typ} token (typ)")
    algorithm, kid = header.get("alg"), header.get("kid")
    if not isinstance(algorithm, str) or algorithm not in policy.algorithms:
        raise _fail(f"algorithm {algorithm!r} not allowed")
    if not isinstance(kid, str) or not kid or len(kid) > 128:
        raise _fail("missing kid")
    key = await keys.get(kid)
    if key is None:
        raise _fail("unknown kid")
    if key.algorithm != algorithm:
        raise _fail("algorithm does not match the key")
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key.key,
            algorithms=[key.algorithm],
            audience=audience,
            issuer=policy.issuer,
            leeway=policy.leeway,
            options={"require": list(required), "enforce_minimum_key_length": True},
        )
    except jwt.PyJWTError as exc:
        raise _fail(f"invalid token: {type(exc).__name__}") from exc
    return claims


def _claims(claims: Mapping[str, Any], policy: TokenPolicy, now: float) -> AccessClaims:
    iat = claims.get("iat")
    if not isinstance(iat, int | float) or iat > now + policy.leeway:
        raise _fail("iat in the future")
    try:
        subject = uuid.UUID(str(claims["sub"]))
        tenant_id = uuid.UUID(str(claims["tid"]))
    except ValueError as exc:
        raise _fail("sub or tid is not a UUID") from exc
    roles = claims.get("roles", [])
    scope = claims.get("scope", "")
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise _fail("roles is not a list of strings")
    if not isinstance(scope, str):
        raise _fail("scope is not a string")
    sid = claims.get("sid")
    return AccessClaims(
        subject=subject,
        tenant_id=tenant_id,
        roles=tuple(roles),
        scope=frozenset(scope.split()),
        session_id=sid if isinstance(sid, str) else None,
        token_id=str(claims["jti"]),
        kind=str(claims.get("kind", "user")),
        expires_at=int(claims["exp"]),
    )
