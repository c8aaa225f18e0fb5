"""`Authenticator`: the `Authorization` header of a request -> a `Principal`, or refusal.

Bearer access tokens (JWT, verified against a `KeySource`) and API keys (`sk_live_...`,
checksum verified before any lookup, then resolved by the identity subgraph through the
`ApiKeyResolver` port) are accepted. The cross-tenant guard lives here: a credential is only
ever valid for the tenant the request targets (the token's `tid`, the database the API key is
found in); a mismatch is UNAUTHENTICATED, never a read of the other tenant.

Platform operators' tokens (`op+jwt`) are not tenant credentials: `authenticate` refuses them;
only `authenticate_operator` (used by the tenants subgraph's administrative operations) accepts
them, and it accepts nothing else.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import jwt

from subgraphs.kit.auth.api_keys import is_api_key_like, is_well_formed_api_key
from subgraphs.kit.auth.errors import UnauthenticatedError
from subgraphs.kit.auth.introspection import INTROSPECTION_PATH, RemoteApiKeyResolver
from subgraphs.kit.auth.keys import JwksKeySource, KeySource
from subgraphs.kit.auth.principal import OperatorPrincipal, Principal, PrincipalKind
from subgraphs.kit.auth.revocations import RedisSessionChecker
from subgraphs.kit.auth.tokens import (
    DEFAULT_AUDIENCE,
    DEFAULT_ISSUER,
    DEFAULT_OPERATOR_AUDIENCE,
    MAX_TOKEN_BYTES,
    OPERATOR_TOKEN_TYPE,
    TokenPolicy,
    verify_access_token,
    verify_operator_token,
)
from subgraphs.kit.ids import TenantId

__all__ = ["ApiKeyResolver", "Authenticator", "SessionChecker", "authenticator_from_env"]

logger = logging.getLogger("subgraphs.auth")


class ApiKeyResolver(Protocol):
    """Port implemented by the identity subgraph: a well-formed key -> its principal."""

    async def resolve(self, tenant_id: TenantId, key: str) -> Principal | None: ...


class SessionChecker(Protocol):
    """Port: whether a token's session (refresh-token family) is still live."""

    async def is_active(self, tenant_id: TenantId, user_id: str, session_id: str) -> bool: ...


def bearer(authorization: str | None) -> str | None:
    if authorization is None:
        return None
    scheme, _, credential = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        raise UnauthenticatedError("not a bearer credential")
    return credential.strip()


class Authenticator:
    def __init__(
        self,
        keys: KeySource,
        policy: TokenPolicy | None = None,
        *,
        api_keys: ApiKeyResolver | None = None,
        sessions: SessionChecker | None = None,
    ) -> None:
        self.keys = keys
        self.policy = policy or TokenPolicy()
        self.api_keys = api_keys
        self.sessions = sessions

    def precheck(self, authorization: str | None) -> None:
        """Refuse malformed credentials without any I/O (API-key checksum, token shape), so
        garbage never costs a tenant lookup or a database query."""
        try:
            credential = bearer(authorization)
            if credential is None:
                return
            if is_api_key_like(credential):
                if not is_well_formed_api_key(credential):
                    raise UnauthenticatedError("malformed API key")
            elif not credential or len(credential) > MAX_TOKEN_BYTES or credential.count(".") != 2:
                raise UnauthenticatedError("malformed token")
        except UnauthenticatedError as error:
            logger.info("credential refused: %s", error.reason)
            raise

    async def authenticate(
        self, authorization: str | None, target: TenantId | None
    ) -> Principal | None:
        """None without credentials; the principal; or UnauthenticatedError."""
        try:
            credential = bearer(authorization)
            if credential is None:
                return None
            if is_api_key_like(credential):
                return await self._api_key(credential, target)
            return await self._token(credential, target)
        except UnauthenticatedError as error:
            logger.info("credential refused: %s", error.reason)
            raise

    def is_operator_credential(self, authorization: str | None) -> bool:
        """Whether the bearer token claims to be an operator token (header only, unverified):
        tells the tenants subgraph which verification to run, never grants anything."""
        try:
            credential = bearer(authorization)
        except UnauthenticatedError:
            return False
        if credential is None or is_api_key_like(credential) or len(credential) > MAX_TOKEN_BYTES:
            return False
        try:
            return jwt.get_unverified_header(credential).get("typ") == OPERATOR_TOKEN_TYPE
        except jwt.PyJWTError:
            return False

    async def authenticate_operator(self, authorization: str | None) -> OperatorPrincipal | None:
        """None without credentials; the operator; or UnauthenticatedError (tenant tokens and
        API keys included: they never act as an operator)."""
        try:
            credential = bearer(authorization)
            if credential is None:
                return None
            if is_api_key_like(credential):
                raise UnauthenticatedError("API keys are not operator credentials")
            claims = await verify_operator_token(credential, self.keys, self.policy)
            return OperatorPrincipal(claims.operator_id, claims.email, claims.token_id)
        except UnauthenticatedError as error:
            logger.info("operator credential refused: %s", error.reason)
            raise

    async def _api_key(self, key: str, target: TenantId | None) -> Principal:
        if not is_well_formed_api_key(key):
            raise UnauthenticatedError("malformed API key")
        if target is None or self.api_keys is None:
            raise UnauthenticatedError("API key without a target tenant")
        principal = await self.api_keys.resolve(target, key)
        if principal is None or principal.tenant_id != target:
            raise UnauthenticatedError("unknown, expired or revoked API key")
        return principal

    async def _token(self, token: str, target: TenantId | None) -> Principal:
        claims = await verify_access_token(token, self.keys, self.policy)
        tenant_id = TenantId(claims.tenant_id)
        if target is not None and target != tenant_id:
            raise UnauthenticatedError("token tenant differs from the request tenant")
        if self.sessions is not None and claims.session_id is not None:
            live = await self.sessions.is_active(tenant_id, str(claims.subject), claims.session_id)
            if not live:
                raise UnauthenticatedError("session revoked")
        return Principal(
            tenant_id=tenant_id,
            user_id=claims.subject,
            kind=PrincipalKind(claims.kind) if claims.kind in _KINDS else PrincipalKind.USER,
            roles=claims.roles,
            permissions=claims.scope,
            session_id=claims.session_id,
            credential_id=claims.token_id,
        )


_KINDS = {k.value for k in PrincipalKind}


def _introspection_url(jwks_url: str) -> str:
    parts = urlsplit(jwks_url)
    return urlunsplit((parts.scheme, parts.netloc, INTROSPECTION_PATH, "", ""))


def authenticator_from_env(
    environ: Mapping[str, str] | None = None, *, redis: Any | None = None
) -> Authenticator | None:
    """A JWKS-backed authenticator when `AUTH_JWKS_URL` is set (separate processes).

    With `AUTH_INTROSPECTION_SECRET` set too, API keys are checked by identity's introspection
    endpoint (`AUTH_INTROSPECTION_URL`, default: the JWKS URL's origin +
    `/internal/api-keys/introspect`), cached `AUTH_INTROSPECTION_CACHE_SECONDS` (30).
    With `redis` (the process's client), access tokens of revoked sessions are refused
    (`RedisSessionChecker`: `AUTH_REVOCATION_CACHE_SECONDS`, default 5;
    `AUTH_REVOCATION_FAIL` `open` (default) or `closed` when Redis is down).
    """
    env = os.environ if environ is None else environ
    url = env.get("AUTH_JWKS_URL")
    if not url:
        return None
    policy = TokenPolicy(
        issuer=env.get("AUTH_ISSUER", DEFAULT_ISSUER),
        audience=env.get("AUTH_AUDIENCE", DEFAULT_AUDIENCE),
        operator_audience=env.get("AUTH_OPERATOR_AUDIENCE", DEFAULT_OPERATOR_AUDIENCE),
    )
    api_keys: ApiKeyResolver | None = None
    secret = env.get("AUTH_INTROSPECTION_SECRET")
    if secret:
        api_keys = RemoteApiKeyResolver(
            env.get("AUTH_INTROSPECTION_URL") or _introspection_url(url),
            secret,
            ttl=float(env.get("AUTH_INTROSPECTION_CACHE_SECONDS", "30")),
        )
    sessions: SessionChecker | None = None
    if redis is not None:
        fail = env.get("AUTH_REVOCATION_FAIL", "open").strip().lower()
        if fail not in ("open", "closed"):
            raise ValueError(f"AUTH_REVOCATION_FAIL must be 'open' or 'closed', not {fail!r}")
        sessions = RedisSessionChecker(
            redis,
            cache_seconds=float(env.get("AUTH_REVOCATION_CACHE_SECONDS", "5")),
            fail_open=fail == "open",
        )
    return Authenticator(JwksKeySource(url), policy, api_keys=api_keys, sessions=sessions)
