"""Access-token verification against a JWKS URL.

`JwksCache` fetches the key set with httpx (async, never blocking the event loop), keeps it for
`jwks_ttl` seconds and refreshes it in the background once stale (requests keep using the old
keys meanwhile). A token whose `kid` is unknown triggers one refetch, at most once per
`jwks_min_refetch` seconds however many such tokens arrive (a kid spray costs one fetch), so a
freshly rotated key is picked up without failing requests. `kid` is only a dictionary key.

`TokenVerifier.verify` enforces: an allow-listed `alg` bound to the key's own `alg`, `typ`
(`at+jwt`), a signature by a JWKS key, `exp` present and not past (with leeway), `nbf`, `iss`
and `aud` when configured. Verified tokens are cached until they expire (bounded LRU).

`platform_tokens` adds one more kind, told apart by its `typ` header (`op+jwt`): same keys and
checks, its own audience (required) and issuer; its principal has `platform=True` and no tenant,
whatever the token's claims say. A token of one kind never passes the other kind's checks.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import httpx
import jwt
from jwt import PyJWK

from router.policies.config import JwtSettings, PolicyConfigError
from router.policies.context import Principal

logger = logging.getLogger("router.policies")


class TokenError(Exception):
    """The token is missing, malformed, unverifiable or not acceptable (reason in the text)."""


class JwksCache:
    def __init__(
        self,
        url: str,
        ttl: float = 300.0,
        min_refetch: float = 10.0,
        fetch: Callable[[str], Any] | None = None,
    ) -> None:
        self.url = url
        self.ttl = ttl
        self.min_refetch = min_refetch
        self.keys: dict[str, PyJWK] = {}
        self.fetched_at = 0.0
        self.attempted_at = -1e9
        self.fetches = 0
        self._inflight: asyncio.Task[None] | None = None
        self._fetch = fetch

    async def key(self, kid: str) -> PyJWK | None:
        now = time.monotonic()
        found = self.keys.get(kid)
        if found is not None:
            if now - self.fetched_at > self.ttl:
                self._refresh(now)  # stale: refresh in the background, keep serving
            return found
        if now - self.attempted_at >= self.min_refetch or self._inflight is not None:
            task = self._refresh(now)
            if task is not None:
                await asyncio.shield(task)
        return self.keys.get(kid)

    def _refresh(self, now: float) -> asyncio.Task[None] | None:
        if self._inflight is None:
            if now - self.attempted_at < min(self.min_refetch, self.ttl):
                return None
            self.attempted_at = now
            self._inflight = asyncio.create_task(self._load())
        return self._inflight

    async def _load(self) -> None:
        try:
            document = await self._download()
            keys: dict[str, PyJWK] = {}
            for entry in document.get("keys", []):
                if isinstance(entry, dict) and isinstance(entry.get("kid"), str):
                    try:
                        keys[entry["kid"]] = PyJWK(entry)
                    except jwt.PyJWTError:
                        logger.warning("JWKS key %s skipped", entry.get("kid"))
            self.keys = keys
            self.fetched_at = time.monotonic()
            self.fetches += 1
        except Exception as exc:  # keep the previous keys; the next miss retries
            logger.warning("JWKS fetch from %s failed: %s", self.url, exc)
        finally:
            self._inflight = None

    async def _download(self) -> dict[str, Any]:
        if self._fetch is not None:
            result: dict[str, Any] = await self._fetch(self.url)
            return result
        async with httpx.AsyncClient(timeout=5.0) as client:
            response = await client.get(self.url)
            response.raise_for_status()
            data = response.json()
        if not isinstance(data, dict):
            raise ValueError("JWKS is not a JSON object")
        return data


class TokenVerifier:
    def __init__(self, settings: JwtSettings, jwks: JwksCache | None = None) -> None:
        self.settings = settings
        self.jwks = jwks or JwksCache(
            settings.jwks_url, settings.jwks_ttl, settings.jwks_min_refetch
        )
        self.algorithms = frozenset(settings.algorithms) - {"none", "HS256", "HS384", "HS512"}
        self._verified: OrderedDict[str, Principal] = OrderedDict()
        self._limit = 10_000
        platform = {k.lower(): str(v) for k, v in settings.platform_tokens.items()}
        unknown = set(platform) - {"typ", "audience", "issuer"}
        if unknown:
            raise PolicyConfigError(f"unknown jwt.platform_tokens keys: {sorted(unknown)}")
        if platform and not (platform.get("typ") and platform.get("audience")):
            raise PolicyConfigError("jwt.platform_tokens needs `typ` and `audience`")
        if platform and platform["typ"].lower() == settings.typ.lower():
            raise PolicyConfigError("jwt.platform_tokens.typ must differ from jwt.typ")
        self.platform_typ = platform.get("typ", "").lower()
        self.platform_audience = platform.get("audience", "")
        self.platform_issuer = platform.get("issuer", settings.issuer)

    async def verify(self, token: str) -> Principal:
        cached = self._verified.get(token)
        if cached is not None:
            if float(cached.claims["exp"]) + self.settings.leeway > time.time():
                return cached
            del self._verified[token]
        principal = await self._verify(token)
        self._verified[token] = principal
        if len(self._verified) > self._limit:
            self._verified.popitem(last=False)
        return principal

    async def _verify(self, token: str) -> Principal:
        if len(token) > 8192:
            raise TokenError("token too large")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise TokenError("malformed token") from exc
        alg, kid = header.get("alg"), header.get("kid")
        if alg not in self.algorithms:
            raise TokenError(f"algorithm {alg!r} not allowed")
        typ = str(header.get("typ", "")).lower()
        platform = bool(self.platform_typ) and typ == self.platform_typ
        if not platform and self.settings.typ and typ != self.settings.typ.lower():
            raise TokenError("wrong token type")
        if not isinstance(kid, str) or len(kid) > 200:
            raise TokenError("missing kid")
        key = await self.jwks.key(kid)
        if key is None:
            raise TokenError("unknown signing key")
        if key.algorithm_name != alg:  # the header's alg is bound to the key's own
            raise TokenError("algorithm does not match the key")
        if platform:
            claims = self._decode(token, key, alg, self.platform_audience, self.platform_issuer)
            return _principal(claims, token, self.settings, platform=True)
        claims = self._decode(token, key, alg, self.settings.audience, self.settings.issuer)
        return _principal(claims, token, self.settings)

    def _decode(
        self, token: str, key: PyJWK, alg: str, audience: str, issuer: str
    ) -> dict[str, Any]:
        options: Any = {"require": ["exp"], "verify_aud": bool(audience)}
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=[alg],
                audience=audience or None,
                issuer=issuer or None,
                leeway=self.settings.leeway,
                options=options,
            )
        except jwt.PyJWTError as exc:
            raise TokenError(f"invalid token: {exc}") from exc
        return claims


def _principal(
    claims: dict[str, Any], token: str, settings: JwtSettings, platform: bool = False
) -> Principal:
    raw_scopes = claims.get(settings.scope_claim, "")
    if isinstance(raw_scopes, str):
        scopes = frozenset(raw_scopes.split())
    elif isinstance(raw_scopes, list):
        scopes = frozenset(str(s) for s in raw_scopes)
    else:
        scopes = frozenset()
    tenant = claims.get(settings.tenant_claim)
    return Principal(
        subject=str(claims.get("sub", "")),
        tenant_id=None if tenant is None or platform else str(tenant),
        scopes=scopes,
        claims=claims,
        token=token,
        platform=platform,
    )


def bearer(value: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` value (None when absent)."""
    if not value:
        return None
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise TokenError("authorization is not a bearer token")
    return token.strip()
