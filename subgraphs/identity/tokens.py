"""Issuing tokens: access JWTs (`at+jwt`), MFA challenge JWTs (`mfa+jwt`), opaque secrets.

Access and MFA tokens are told apart by `typ` and `aud`, so neither is accepted as the other.
Refresh tokens, invitation and reset tokens are opaque random strings stored as SHA-256.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import jwt

from subgraphs.identity.errors import InvalidTokenError
from subgraphs.identity.keyring import KeyRing
from subgraphs.kit.auth.tokens import ACCESS_TOKEN_TYPE, OPERATOR_TOKEN_TYPE, TokenPolicy

ACCESS_TOKEN_LIFETIME = 600
OPERATOR_TOKEN_LIFETIME = 900
MFA_TOKEN_LIFETIME = 300
MFA_TOKEN_TYPE = "mfa+jwt"


@dataclass(frozen=True, slots=True)
class IssuedAccessToken:
    token: str
    expires_at: int
    jti: str


def opaque_token(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def successor_token(key: bytes, presented: str) -> str:
    """The refresh token that replaces `presented`: HMAC-SHA256 under a server secret, so it is
    unguessable without both, and the same every time (the rotation grace window)."""
    digest = hmac.new(key, presented.encode(), hashlib.sha256).digest()
    return "rt_" + base64.urlsafe_b64encode(digest).decode().rstrip("=")


class TokenIssuer:
    def __init__(self, keyring: KeyRing, policy: TokenPolicy) -> None:
        self.keyring = keyring
        self.policy = policy

    def _sign(self, claims: dict[str, Any], typ: str) -> str:
        key = self.keyring.signing_key()
        headers = {"kid": key.kid, "typ": typ}
        return jwt.encode(claims, key.private_key, algorithm=key.algorithm, headers=headers)

    def access_token(
        self,
        *,
        tenant_id: uuid.UUID,
        user_id: uuid.UUID,
        roles: Iterable[str],
        permissions: Iterable[str],
        session_id: uuid.UUID,
        kind: str = "user",
        now: float | None = None,
    ) -> IssuedAccessToken:
        issued = int(time.time() if now is None else now)
        jti = uuid.uuid4().hex
        claims = {
            "iss": self.policy.issuer,
            "aud": self.policy.audience,
            "sub": str(user_id),
            "tid": str(tenant_id),
            "sid": str(session_id),
            "roles": list(roles),
            "scope": " ".join(sorted(permissions)),
            "kind": kind,
            "iat": issued,
            "nbf": issued,
            "exp": issued + ACCESS_TOKEN_LIFETIME,
            "jti": jti,
        }
        return IssuedAccessToken(self._sign(claims, ACCESS_TOKEN_TYPE), claims["exp"], jti)  # type: ignore[arg-type]

    def operator_token(
        self, *, operator_id: uuid.UUID, email: str, now: float | None = None
    ) -> IssuedAccessToken:
        """A platform operator's token: its own `typ` and audience and no `tid`, so it never
        passes as a tenant access token (and a tenant token never passes as this)."""
        issued = int(time.time() if now is None else now)
        jti = uuid.uuid4().hex
        claims = {
            "iss": self.policy.issuer,
            "aud": self.policy.operator_audience,
            "sub": str(operator_id),
            "email": email,
            "kind": "operator",
            "iat": issued,
            "nbf": issued,
            "exp": issued + OPERATOR_TOKEN_LIFETIME,
            "jti": jti,
        }
        return IssuedAccessToken(self._sign(claims, OPERATOR_TOKEN_TYPE), claims["exp"], jti)  # type: ignore[arg-type]

    def mfa_token(self, *, tenant_id: uuid.UUID, user_id: uuid.UUID) -> str:
        issued = int(time.time())
        claims = {
            "iss": self.policy.issuer,
            "aud": f"{self.policy.audience}:mfa",
            "sub": str(user_id),
            "tid": str(tenant_id),
            "iat": issued,
            "nbf": issued,
            "exp": issued + MFA_TOKEN_LIFETIME,
            "jti": uuid.uuid4().hex,
        }
        return self._sign(claims, MFA_TOKEN_TYPE)

    def verify_mfa_token(self, token: str, tenant_id: uuid.UUID) -> uuid.UUID:
        """The user id of a valid MFA challenge for this tenant."""
        try:
            header = jwt.get_unverified_header(token)
            key = self.keyring.verification_keys().get(str(header.get("kid")))
            if header.get("typ") != MFA_TOKEN_TYPE or key is None:
                raise InvalidTokenError(field="mfaToken")
            if header.get("alg") != key.algorithm:
                raise InvalidTokenError(field="mfaToken")
            claims = jwt.decode(
                token,
                key.key,
                algorithms=[key.algorithm],
                audience=f"{self.policy.audience}:mfa",
                issuer=self.policy.issuer,
                options={"require": ["exp", "iat", "sub", "tid"]},
            )
            if claims["tid"] != str(tenant_id):
                raise InvalidTokenError(field="mfaToken")
            return uuid.UUID(claims["sub"])
        except (jwt.PyJWTError, ValueError) as exc:
            raise InvalidTokenError(field="mfaToken") from exc
