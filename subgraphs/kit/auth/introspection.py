"""API-key introspection for subgraphs running in their own process (`AUTH_JWKS_URL` mode).

Access tokens verify anywhere with the JWKS, but an API key is only a random string: only the
identity subgraph can tell whom it belongs to. `RemoteApiKeyResolver` (an `ApiKeyResolver`)
asks identity's `POST /internal/api-keys/introspect` with the shared secret
`AUTH_INTROSPECTION_SECRET` and caches each answer for `ttl` seconds:

- the cache key is (tenant, SHA-256 of the key): an answer for one tenant is never used for
  another, and the resolver refuses an answer whose tenant is not the one it asked about;
- a revoked, expired or deactivated key stops working in other processes within `ttl`
  (default 30 s, `AUTH_INTROSPECTION_CACHE_SECONDS`); negative answers are cached too, so a
  spray of well-formed fake keys costs one call per key per `ttl`;
- identity unreachable or answering an error: the key is refused (fail closed), nothing cached.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from subgraphs.kit.auth.principal import Principal, PrincipalKind
from subgraphs.kit.ids import TenantId

__all__ = [
    "INTROSPECTION_PATH",
    "SECRET_HEADER",
    "RemoteApiKeyResolver",
    "principal_from_json",
    "principal_to_json",
]

logger = logging.getLogger("subgraphs.auth.introspection")

INTROSPECTION_PATH = "/internal/api-keys/introspect"
SECRET_HEADER = "x-introspection-secret"
_KINDS = {kind.value for kind in PrincipalKind}


def principal_to_json(principal: Principal) -> dict[str, Any]:
    return {
        "active": True,
        "tenant_id": str(principal.tenant_id),
        "user_id": str(principal.user_id),
        "kind": principal.kind.value,
        "roles": list(principal.roles),
        "permissions": sorted(principal.permissions),
        "credential_id": principal.credential_id,
    }


def principal_from_json(document: Mapping[str, Any]) -> Principal | None:
    """The principal of an introspection answer; None when inactive or malformed."""
    if document.get("active") is not True:
        return None
    try:
        kind = str(document["kind"])
        roles, permissions = document["roles"], document["permissions"]
        if kind not in _KINDS or not isinstance(roles, list) or not isinstance(permissions, list):
            return None
        credential = document.get("credential_id")
        return Principal(
            tenant_id=TenantId(uuid.UUID(str(document["tenant_id"]))),
            user_id=uuid.UUID(str(document["user_id"])),
            kind=PrincipalKind(kind),
            roles=tuple(str(role) for role in roles),
            permissions=frozenset(str(p) for p in permissions),
            credential_id=str(credential) if credential is not None else None,
        )
    except (KeyError, ValueError, TypeError):
        return None


class RemoteApiKeyResolver:
    """`ApiKeyResolver` over HTTP, with a short per-(tenant, key) cache."""

    def __init__(
        self,
        url: str,
        secret: str,
        *,
        ttl: float = 30.0,
        client: httpx.AsyncClient | None = None,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self.calls = 0
        self._secret = secret
        self._ttl = ttl
        self._client = client
        self._max = max_entries
        self._clock = clock
        self._cache: OrderedDict[tuple[TenantId, str], tuple[float, Principal | None]] = (
            OrderedDict()
        )

    async def resolve(self, tenant_id: TenantId, key: str) -> Principal | None:
        cache_key = (tenant_id, hashlib.sha256(key.encode()).hexdigest())
        now = self._clock()
        cached = self._cache.get(cache_key)
        if cached is not None and cached[0] > now:
            return cached[1]
        answer = await self._ask(tenant_id, key)
        if answer is None:
            return None  # identity did not answer: refuse, cache nothing
        principal = principal_from_json(answer)
        if principal is not None and principal.tenant_id != tenant_id:
            logger.warning("introspection answered for another tenant: refused")
            principal = None
        self._cache[cache_key] = (now + self._ttl, principal)
        self._cache.move_to_end(cache_key)
        while len(self._cache) > self._max:
            self._cache.popitem(last=False)
        return principal

    async def _ask(self, tenant_id: TenantId, key: str) -> dict[str, Any] | None:
        self.calls += 1
        body = {"tenant_id": str(tenant_id), "key": key}
        headers = {SECRET_HEADER: self._secret}
        try:
            if self._client is not None:
                response = await self._client.post(self.url, json=body, headers=headers, timeout=5)
            else:
                async with httpx.AsyncClient(follow_redirects=False) as client:
                    response = await client.post(self.url, json=body, headers=headers, timeout=5)
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            logger.warning("API-key introspection at %s failed: %s", self.url, exc)
            return None
        return document if isinstance(document, dict) else None
