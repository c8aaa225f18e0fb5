"""Subgraph auth kit: verify the forwarded credential, build a `Principal`, check permissions.

Resolvers of any subgraph:

    principal = info.context.require_permission("tickets:write")

or, from a service that received the principal, `require_permission(principal, "tickets:write")`.
"""

from subgraphs.kit.auth.api_keys import generate_api_key, hash_api_key, is_well_formed_api_key
from subgraphs.kit.auth.authenticator import (
    ApiKeyResolver,
    Authenticator,
    SessionChecker,
    authenticator_from_env,
)
from subgraphs.kit.auth.errors import AuthErrorCode, ForbiddenError, UnauthenticatedError
from subgraphs.kit.auth.introspection import RemoteApiKeyResolver
from subgraphs.kit.auth.keys import (
    ALLOWED_ALGORITHMS,
    InProcessKeySource,
    JwksKeySource,
    KeySource,
    VerificationKey,
    keys_from_jwks,
)
from subgraphs.kit.auth.once import MemoryOnce, OnceCache, RedisOnce
from subgraphs.kit.auth.principal import (
    OperatorPrincipal,
    Principal,
    PrincipalKind,
    require_any_permission,
    require_permission,
)
from subgraphs.kit.auth.revocations import RedisSessionChecker, RevocationPublisher
from subgraphs.kit.auth.tokens import (
    ACCESS_TOKEN_TYPE,
    DEFAULT_AUDIENCE,
    DEFAULT_ISSUER,
    OPERATOR_TOKEN_TYPE,
    AccessClaims,
    OperatorClaims,
    TokenPolicy,
    verify_access_token,
    verify_operator_token,
)

__all__ = [
    "ACCESS_TOKEN_TYPE",
    "ALLOWED_ALGORITHMS",
    "DEFAULT_AUDIENCE",
    "DEFAULT_ISSUER",
    "OPERATOR_TOKEN_TYPE",
    "AccessClaims",
    "ApiKeyResolver",
    "AuthErrorCode",
    "Authenticator",
    "ForbiddenError",
    "InProcessKeySource",
    "JwksKeySource",
    "KeySource",
    "MemoryOnce",
    "OnceCache",
    "OperatorClaims",
    "OperatorPrincipal",
    "Principal",
    "PrincipalKind",
    "RedisOnce",
    "RedisSessionChecker",
    "RemoteApiKeyResolver",
    "RevocationPublisher",
    "SessionChecker",
    "TokenPolicy",
    "UnauthenticatedError",
    "VerificationKey",
    "authenticator_from_env",
    "generate_api_key",
    "hash_api_key",
    "is_well_formed_api_key",
    "keys_from_jwks",
    "require_any_permission",
    "require_permission",
    "verify_access_token",
    "verify_operator_token",
]
