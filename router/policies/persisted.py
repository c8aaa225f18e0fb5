"""Persisted queries: automatic (APQ, sha256, a bounded store) and a safelist from a manifest.

APQ: `extensions.persistedQuery = {"version": 1, "sha256Hash": h}`. Without `query` the router
looks `h` up (process LRU, then the optional shared Redis store; PERSISTED_QUERY_NOT_FOUND tells
the client to resend with the text); with `query` it checks `sha256(query) == h`
(PERSISTED_QUERY_HASH_MISMATCH) and stores it. APQ is a cache, not a safelist: anyone can
register.

Safelist: the manifest `{"format": "apollo-persisted-query-manifest", "version": 1,
"operations": [{"id", "name", "type", "body"}]}` (what clients/ generates). Clients send the id
as `extensions.persistedQuery.sha256Hash`; a document sent as text runs only if its body is in
the manifest (whitespace-insensitive) and only when `require_id` is off. APQ registration is
off in safelist mode.
"""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from router.policies.config import PersistedQuerySettings

logger = logging.getLogger("router.policies")

NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"
NOT_IN_LIST = "PERSISTED_QUERY_NOT_IN_LIST"
ID_REQUIRED = "PERSISTED_QUERY_ID_REQUIRED"
NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"


class PersistedQueryError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def load_manifest(path: str | Path) -> dict[str, str]:
    data = orjson.loads(Path(path).read_bytes())
    if data.get("format") != "apollo-persisted-query-manifest" or data.get("version") != 1:
        raise ValueError(f"{path}: not an apollo-persisted-query-manifest version 1")
    return {str(op["id"]): str(op["body"]) for op in data.get("operations", [])}


def _normal(text: str) -> str:
    return " ".join(text.replace(",", " ").split())


class PersistedQueries:
    def __init__(
        self, settings: PersistedQuerySettings, manifest: Mapping[str, str] | None = None
    ) -> None:
        self.settings = settings
        self.safelist: dict[str, str] | None = None
        if manifest is not None:
            self.safelist = dict(manifest)
        elif settings.safelist:
            self.safelist = load_manifest(settings.safelist)
        self.allowed_bodies = {_normal(b) for b in (self.safelist or {}).values()}
        self.store: OrderedDict[str, str] = OrderedDict()
        self.shared: Any = None  # redis.asyncio client when `apq_redis_url` is set
        if settings.apq_redis_url:
            import redis.asyncio as aioredis

            self.shared = aioredis.Redis.from_url(
                settings.apq_redis_url, socket_timeout=0.1, socket_connect_timeout=0.1
            )

    async def aclose(self) -> None:
        if self.shared is not None:
            await self.shared.aclose()

    async def resolve(self, query: str | None, extensions: Mapping[str, Any] | None) -> str | None:
        """The document text to run, or None to keep the request's own; raises
        `PersistedQueryError`."""
        persisted = (extensions or {}).get("persistedQuery")
        digest = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        if persisted is not None and not isinstance(digest, str):
            raise PersistedQueryError(NOT_SUPPORTED, "persistedQuery needs a sha256Hash.")
        if self.safelist is not None:
            return self._safelisted(query, digest)
        if digest is None:
            return None
        if not self.settings.apq:
            raise PersistedQueryError(NOT_SUPPORTED, "PersistedQueryNotSupported")
        digest = digest.lower()
        if not query:
            found = self.store.get(digest)
            if found is None:
                found = await self._shared_get(digest)
            if found is None:
                raise PersistedQueryError(NOT_FOUND, "PersistedQueryNotFound")
            self._remember(digest, found)
            return found
        if hashlib.sha256(query.encode()).hexdigest() != digest:
            raise PersistedQueryError(HASH_MISMATCH, "provided sha does not match query")
        if digest not in self.store:
            self._remember(digest, query)
            await self._shared_set(digest, query)
        return None

    def _remember(self, digest: str, query: str) -> None:
        self.store[digest] = query
        self.store.move_to_end(digest)
        if len(self.store) > self.settings.apq_max_entries:
            self.store.popitem(last=False)

    async def _shared_get(self, digest: str) -> str | None:
        if self.shared is None:
            return None
        try:
            raw = await self.shared.get(self.settings.apq_key_prefix + digest)
        except Exception as exc:  # the shared store is a cache: a miss, never an error
            logger.warning("APQ store unavailable: %s", type(exc).__name__)
            return None
        return raw.decode() if isinstance(raw, bytes) else None

    async def _shared_set(self, digest: str, query: str) -> None:
        if self.shared is None:
            return
        try:
            key = self.settings.apq_key_prefix + digest
            await self.shared.set(key, query, ex=self.settings.apq_ttl)
        except Exception as exc:
            logger.warning("APQ store unavailable: %s", type(exc).__name__)

    def _safelisted(self, query: str | None, digest: str | None) -> str:
        assert self.safelist is not None
        if digest is not None:
            found = self.safelist.get(digest)
            if found is None:
                raise PersistedQueryError(NOT_FOUND, "PersistedQueryNotFound")
            return found
        if self.settings.require_id:
            raise PersistedQueryError(ID_REQUIRED, "This router runs persisted operations only.")
        if not query or _normal(query) not in self.allowed_bodies:
            raise PersistedQueryError(NOT_IN_LIST, "The operation is not in the safelist.")
        return query
