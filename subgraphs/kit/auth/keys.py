"""Verification keys: where a subgraph finds the public key named by a token's `kid`.

`KeySource` is the port. `InProcessKeySource` reads the identity subgraph's key ring when it
runs in the same process; `JwksKeySource` fetches `/.well-known/jwks.json` with httpx, caches it
for `max_age` seconds and refetches on an unknown `kid` at most once per `min_refetch_interval`
(so a spray of random kids costs one fetch, and a freshly rotated key is picked up quickly).
A `kid` is only ever a dictionary key: never a path, never SQL, and `jku`/`x5u` are ignored.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
import jwt

__all__ = [
    "ALLOWED_ALGORITHMS",
    "InProcessKeySource",
    "JwksKeySource",
    "KeySource",
    "VerificationKey",
    "keys_from_jwks",
]

logger = logging.getLogger("subgraphs.auth.keys")

# asymmetric only: a subgraph can verify but never sign; HS* is never accepted
ALLOWED_ALGORITHMS: frozenset[str] = frozenset({"EdDSA", "RS256"})


@dataclass(frozen=True, slots=True)
class VerificationKey:
    """A public key bound to exactly one algorithm."""

    kid: str
    algorithm: str
    key: Any


class KeySource(Protocol):
    async def get(self, kid: str) -> VerificationKey | None: ...


class InProcessKeySource:
    """Keys from a callable (the identity key ring's public keys), read on every lookup."""

    def __init__(self, keys: Callable[[], Mapping[str, VerificationKey]]) -> None:
        self._keys = keys

    async def get(self, kid: str) -> VerificationKey | None:
        return self._keys().get(kid)


def keys_from_jwks(document: Mapping[str, Any]) -> dict[str, VerificationKey]:
    """Usable keys of a JWKS document; malformed or non-allow-listed entries are skipped."""
    found: dict[str, VerificationKey] = {}
    entries = document.get("keys")
    if not isinstance(entries, list):
        return found
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        kid, algorithm = entry.get("kid"), entry.get("alg")
        if not isinstance(kid, str) or algorithm not in ALLOWED_ALGORITHMS:
            continue
        if entry.get("use", "sig") != "sig":
            continue
        try:
            parsed = jwt.PyJWK(entry, algorithm=algorithm)
        except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError):
            logger.warning("skipping unusable JWKS key %r", kid)
            continue
        found[kid] = VerificationKey(kid=kid, algorithm=str(algorithm), key=parsed.key)
    return found


class JwksKeySource:
    """A remote JWKS, cached, refreshed on unknown kids with a minimum interval."""

    def __init__(
        self,
        url: str,
        *,
        client: httpx.AsyncClient | None = None,
        max_age: float = 300.0,
        min_refetch_interval: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self.fetches = 0
        self._client = client
        self._max_age = max_age
        self._min_interval = min_refetch_interval
        self._clock = clock
        self._keys: dict[str, VerificationKey] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()

    async def get(self, kid: str) -> VerificationKey | None:
        now = self._clock()
        key = self._keys.get(kid)
        fresh = self._fetched_at is not None and now - self._fetched_at < self._max_age
        if key is not None and fresh:
            return key
        if self._fetched_at is not None and now - self._fetched_at < self._min_interval:
            return key  # unknown kid, fetched a moment ago: do not let kid sprays hammer it
        async with self._lock:
            if self._fetched_at is None or self._clock() - self._fetched_at >= self._min_interval:
                await self._refresh()
        return self._keys.get(kid)

    async def _refresh(self) -> None:
        self._fetched_at = self._clock()
        self.fetches += 1
        try:
            if self._client is not None:
                response = await self._client.get(self.url, timeout=5.0)
            else:
                async with httpx.AsyncClient(follow_redirects=False) as client:
                    response = await client.get(self.url, timeout=5.0)
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            # keep the keys we have: a JWKS outage must not log everybody out
            logger.warning("JWKS fetch from %s failed: %s", self.url, exc)
            return
        if isinstance(document, dict):
            self._keys = keys_from_jwks(document)
