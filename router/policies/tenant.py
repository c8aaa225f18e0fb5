"""Tenant resolution: Host subdomain, custom domain or `X-Tenant` header -> `Tenant`.

With `lookup` on, slugs and custom domains are resolved by the tenants subgraph (its public
`tenantBySlug(slug:)` / `tenantByDomain(host:)` fields, sent through the router's own subgraph
client) and cached for `cache_ttl` seconds, misses included; the router never reads that
subgraph's tables. With `lookup` off the slug is the id (single-database setups and tests).
"""

from __future__ import annotations

import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping

import orjson

from router.policies.config import TenantSettings
from router.policies.context import Tenant, TenantId
from router.transport import SubgraphClient, SubgraphRequest

logger = logging.getLogger("router.policies")

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class TenantError(Exception):
    """The request names a tenant that does not exist, or names none when one is required."""


class TenantLookupError(TenantError):
    """The tenants subgraph could not be asked (unreachable, invalid answer)."""


class TenantResolver:
    def __init__(
        self,
        settings: TenantSettings,
        client: SubgraphClient,
        urls: Callable[[], Mapping[str, str]],
    ) -> None:
        self.settings = settings
        self.client = client
        self.urls = urls
        self.base = "." + settings.base_domain.lower().strip(".") if settings.base_domain else ""
        self._cache: OrderedDict[tuple[str, str], tuple[float, Tenant | None]] = OrderedDict()
        self.lookups = 0

    async def resolve(self, host: str | None, header: str | None) -> Tenant | None:
        """The request's tenant, or None; raises `TenantError` for an unknown one."""
        name = (host or "").split(":", 1)[0].lower().rstrip(".")
        if self.base and name.endswith(self.base):
            slug = name[: -len(self.base)]
            if _SLUG.match(slug):
                return await self._known(await self._by("slug", slug, "host"))
        if header and self.settings.header_allowed:
            value = header.strip()
            if _UUID.match(value):
                return Tenant(TenantId(value.lower()), "", "header")
            if _SLUG.match(value):
                return await self._known(await self._by("slug", value, "header"))
            raise TenantError("malformed tenant header")
        if name and self.settings.lookup and not _is_ip_or_local(name):
            found = await self._by("domain", name, "custom-domain")
            if found is not None:
                return found
        return None

    async def _known(self, tenant: Tenant | None) -> Tenant:
        if tenant is None:
            raise TenantError("unknown tenant")
        return tenant

    async def _by(self, kind: str, value: str, source: str) -> Tenant | None:
        if not self.settings.lookup:
            return Tenant(TenantId(value), value, source) if kind == "slug" else None
        key = (kind, value)
        now = time.monotonic()
        hit = self._cache.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        tenant = await self._lookup(kind, value, source)
        self._cache[key] = (now + self.settings.cache_ttl, tenant)
        if len(self._cache) > 10_000:
            self._cache.popitem(last=False)
        return tenant

    async def _lookup(self, kind: str, value: str, source: str) -> Tenant | None:
        s = self.settings
        url = self.urls().get(s.lookup_subgraph)
        if url is None:
            logger.warning("tenant lookup: no subgraph named %s", s.lookup_subgraph)
            return None
        query = s.by_slug_query if kind == "slug" else s.by_domain_query
        body = orjson.dumps({"query": query, "variables": {"v": value}})
        self.lookups += 1
        response = await self.client.execute(SubgraphRequest(s.lookup_subgraph, url, body))
        if response.failure is not None:
            raise TenantLookupError(f"tenant lookup failed: {response.failure.message}")
        try:
            found = (response.decode().get("data") or {}).get("tenant")
        except ValueError as exc:
            raise TenantLookupError("tenant lookup returned an invalid response") from exc
        if not isinstance(found, dict) or not found.get("id"):
            return None
        return Tenant(TenantId(str(found["id"])), str(found.get("slug") or value), source)


def _is_ip_or_local(name: str) -> bool:
    return name in {"localhost"} or name.replace(".", "").isdigit()
