"""Policy settings: the `policies:` section of the router's YAML file.

Each section is a frozen dataclass; `load_policies(mapping, env)` builds them from YAML values and
`ROUTER_POLICIES__<SECTION>__<KEY>` environment variables (`ROUTER_POLICIES__JWT__JWKS_URL=...`).
This module imports nothing from the rest of the router, so `router.config` can depend on it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class PolicyConfigError(ValueError):
    """An unknown key or a value of the wrong type in `policies:`."""


@dataclass(frozen=True, slots=True)
class TenantSettings:
    enabled: bool = False
    base_domain: str = ""  # `<slug>.<base_domain>`; empty: no subdomain tenants
    header: str = "x-tenant"  # slug or id; empty string disables the header
    header_allowed: bool = True  # accept the header (else only the Host decides)
    required: bool = False  # refuse requests without a tenant (UNAUTHENTICATED)
    lookup: bool = False  # ask the tenants subgraph (slug -> id, custom domains); else slug = id
    lookup_subgraph: str = "tenants"
    by_slug_query: str = "query($v: String!) { tenant: tenantBySlug(slug: $v) { id slug } }"
    by_domain_query: str = "query($v: String!) { tenant: tenantByDomain(host: $v) { id slug } }"
    cache_ttl: float = 60.0  # seconds a lookup answer (or miss) is kept
    forward_header: str = "x-tenant-id"  # the verified tenant, as sent to subgraphs


@dataclass(frozen=True, slots=True)
class JwtSettings:
    enabled: bool = False
    jwks_url: str = ""
    issuer: str = ""  # empty: not checked
    audience: str = ""  # empty: not checked
    algorithms: tuple[str, ...] = ("EdDSA", "RS256", "ES256")
    typ: str = "at+jwt"  # required `typ` header; empty: not checked
    tenant_claim: str = "tid"
    scope_claim: str = "scope"  # space-separated string or list
    leeway: float = 30.0
    required: bool = False  # refuse requests without a token
    jwks_ttl: float = 300.0  # seconds the key set is fresh
    jwks_min_refetch: float = 10.0  # at most one refetch per interval for unknown `kid`s
    header: str = "authorization"
    # bearer credentials with these prefixes (e.g. API keys `sk_live_`) are opaque to the router:
    # passed to subgraphs unverified (they verify them); they never count as a verified principal
    opaque_prefixes: tuple[str, ...] = ()
    # one more accepted token kind, for callers who belong to no tenant (platform operators):
    # `{typ: op+jwt, audience: ..., issuer: ...}` (issuer defaults to `issuer`); such a token is
    # verified against the same JWKS, needs no tenant and is refused with one; empty: off
    platform_tokens: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class HeaderSettings:
    allow: tuple[str, ...] = ()  # caller headers forwarded as is; empty: `propagate_headers`
    rename: Mapping[str, str] = field(default_factory=dict)  # caller name -> subgraph name
    insert: Mapping[str, str] = field(default_factory=dict)  # fixed headers to add
    request_id: bool = True  # x-request-id: generated if absent, echoed, forwarded
    traceparent: bool = True  # W3C trace context forwarded (a child span id per request)
    # the client address the router computed (`rate_limit.trusted_proxies`) goes to subgraphs in
    # this header, replacing any value the caller sent; empty: not sent (and still never passed on)
    client_ip: str = "x-client-ip"


@dataclass(frozen=True, slots=True)
class LimitSettings:
    enabled: bool = True
    max_depth: int = 100
    max_height: int = 200
    max_aliases: int = 30
    max_root_fields: int = 20
    max_fields: int = 400  # field selections after fragment expansion (duplicates count)
    max_tokens: int = 15_000
    # brackets open at once, checked before parsing: graphql-core's parser recurses ~4 frames
    # per level and Python's stack holds ~1000, so keep this well under 250
    max_nesting: int = 100
    max_errors: int = 20  # validation errors returned at most


@dataclass(frozen=True, slots=True)
class CostSettings:
    enabled: bool = False
    mode: str = "enforce"  # "enforce" or "measure"
    max_cost: int = 10_000
    list_size: int = 10  # assumed size of a list without @listSize or arguments
    expose: bool = False  # always put the estimate in extensions.cost


@dataclass(frozen=True, slots=True)
class RateLimitSettings:
    enabled: bool = False
    capacity: int = 100  # bucket size (burst)
    refill_per_second: float = 50.0
    redis_url: str = ""  # empty: in-memory buckets (per router process)
    fail_open: bool = True  # when Redis is down: allow (True) or refuse (False)
    key_prefix: str = "router:rl"
    redis_timeout: float = 0.05  # seconds per Redis call
    per_tenant: Mapping[str, int] = field(default_factory=dict)  # tenant -> capacity
    # per client IP, alongside the tenant bucket (HTTP requests); 0: off
    per_ip_capacity: int = 0
    per_ip_refill_per_second: float = 10.0
    # peers (addresses or CIDRs) whose `forwarded_header` is believed; empty: never (the socket
    # peer is the client)
    trusted_proxies: tuple[str, ...] = ()
    forwarded_header: str = "x-forwarded-for"


@dataclass(frozen=True, slots=True)
class PersistedQuerySettings:
    apq: bool = True
    apq_max_entries: int = 10_000  # per-process LRU
    apq_redis_url: str = ""  # optional shared store (documents kept `apq_ttl` seconds)
    apq_ttl: int = 86_400
    apq_key_prefix: str = "router:apq:"
    safelist: str = ""  # manifest path; set: only its operations run
    require_id: bool = False  # with a safelist, refuse documents sent as text


@dataclass(frozen=True, slots=True)
class AuthzSettings:
    enabled: bool = True  # enforce @authenticated/@requiresScopes/@policy from the supergraph
    policy_evaluator: str = ""  # dotted path `pkg.module:function`; empty: every policy denied


@dataclass(frozen=True, slots=True)
class ErrorSettings:
    mask_subgraph_errors: bool | None = None  # None: masked in the production profile
    strip_suggestions: bool | None = None  # None: stripped in the production profile


@dataclass(frozen=True, slots=True)
class PoliciesConfig:
    tenant: TenantSettings = field(default_factory=TenantSettings)
    jwt: JwtSettings = field(default_factory=JwtSettings)
    headers: HeaderSettings = field(default_factory=HeaderSettings)
    limits: LimitSettings = field(default_factory=LimitSettings)
    cost: CostSettings = field(default_factory=CostSettings)
    rate_limit: RateLimitSettings = field(default_factory=RateLimitSettings)
    persisted_queries: PersistedQuerySettings = field(default_factory=PersistedQuerySettings)
    authz: AuthzSettings = field(default_factory=AuthzSettings)
    errors: ErrorSettings = field(default_factory=ErrorSettings)


_SECTIONS = {f.name: f for f in dataclasses.fields(PoliciesConfig)}
ENV_PREFIX = "ROUTER_POLICIES__"


def load_policies(value: Any, env: Mapping[str, str] | None = None) -> PoliciesConfig:
    """Build `PoliciesConfig` from a YAML mapping (or an existing config) plus env overrides."""
    if isinstance(value, PoliciesConfig):
        raw: dict[str, dict[str, Any]] = {
            name: {k: getattr(getattr(value, name), k) for k in _keys(name)} for name in _SECTIONS
        }
    elif value is None:
        raw = {}
    elif isinstance(value, Mapping):
        raw = {_norm(k): dict(v or {}) for k, v in value.items()}
    else:
        raise PolicyConfigError("policies: expected a mapping")
    for key, text in (env or {}).items():
        if key.startswith(ENV_PREFIX):
            section, _, name = key[len(ENV_PREFIX) :].lower().partition("__")
            raw.setdefault(section, {})[name] = text
    unknown = set(raw) - set(_SECTIONS)
    if unknown:
        raise PolicyConfigError(f"unknown policy sections: {', '.join(sorted(unknown))}")
    return PoliciesConfig(**{name: _section(name, values) for name, values in raw.items()})


def _keys(section: str) -> list[str]:
    factory: Any = _SECTIONS[section].default_factory
    return [f.name for f in dataclasses.fields(factory())]


def _norm(key: Any) -> str:
    return str(key).replace("-", "_").lower()


def _section(name: str, values: Mapping[str, Any]) -> Any:
    factory: Any = _SECTIONS[name].default_factory
    default = factory()
    fields = {f.name: f for f in dataclasses.fields(default)}
    converted: dict[str, Any] = {}
    for key, raw in values.items():
        key = _norm(key)
        if key not in fields:
            raise PolicyConfigError(f"unknown setting policies.{name}.{key}")
        try:
            converted[key] = _convert(getattr(default, key), raw)
        except (TypeError, ValueError) as exc:
            raise PolicyConfigError(f"invalid value for policies.{name}.{key}: {raw!r}") from exc
    return type(default)(**converted)


def _convert(default: Any, value: Any) -> Any:
    if value is None or (default is None and str(value).lower() in {"null", "none", ""}):
        return None
    if isinstance(default, bool) or default is None:  # the only None defaults are booleans
        return _to_bool(value)
    if isinstance(default, int | float):
        return type(default)(value)
    if isinstance(default, tuple):
        items = value.split(",") if isinstance(value, str) else list(value)
        return tuple(str(i).strip() for i in items if str(i).strip())
    if isinstance(default, Mapping):
        if isinstance(value, str):
            pairs = (p.split("=", 1) for p in value.split(",") if "=" in p)
            return {k.strip(): v.strip() for k, v in pairs}
        return {str(k): v for k, v in dict(value).items()}
    return str(value)


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise ValueError(value)
