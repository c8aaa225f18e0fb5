"""Router configuration: a dataclass, loadable from YAML, overridable by `ROUTER_*` variables.

Precedence: defaults < YAML file < environment (`ROUTER_PORT=4001`, `ROUTER_INTROSPECTION=false`,
`ROUTER_PROPAGATE_HEADERS=authorization,x-tenant`, `ROUTER_SUBGRAPH_URLS=a=http://..,b=..`,
`ROUTER_UPLOADS__MAX_FILES=5`, `ROUTER_PASSTHROUGH_ROUTES=/files/=files`) < explicit overrides
(command-line flags).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from router.policies.config import PoliciesConfig, PolicyConfigError, load_policies
from router.routes_config import (
    PassthroughRoute,
    RoutesConfigError,
    UploadsConfig,
    load_passthrough,
    load_uploads,
)


class ConfigError(Exception):
    """An unknown key or a value of the wrong type in the configuration."""


@dataclass(frozen=True, slots=True)
class RouterConfig:
    supergraph: Path | None = None  # supergraph SDL file
    host: str = "127.0.0.1"
    port: int = 4000
    connect_timeout: float = 2.0  # seconds, per subgraph connection
    request_timeout: float = 30.0  # seconds, per subgraph response
    max_connections: int = 256  # subgraph connections per origin
    subgraph_client: str = "pool"  # "pool" (lean HTTP/1.1) or "httpx"
    dedup: bool = True  # share identical in-flight subgraph queries
    introspection: bool = True  # answer __schema/__type from the API schema
    graphiql: bool = True  # serve GraphiQL on GET /graphql with Accept: text/html
    debug_plan_header: bool = True  # honour `x-router-debug-plan: 1`
    expose_plan: bool = False  # always return the plan in extensions.queryPlan
    max_tokens: int = 15_000  # parser token limit per document
    plan_cache_size: int = 1_000  # prepared operations kept (LRU)
    hot_reload: bool = True  # re-read the supergraph file when it changes
    reload_poll: bool = False  # poll the file instead of inotify (network filesystems)
    propagate_headers: tuple[str, ...] = ("authorization", "x-tenant", "x-request-id")
    subgraph_urls: Mapping[str, str] = field(default_factory=dict)  # name -> URL override
    log_level: str = "warning"
    # subscriptions (router/subscriptions, docs/router-subscriptions.md)
    subscriptions_enabled: bool = True  # graphql-transport-ws and SSE on /graphql
    ws_init_timeout: float = 5.0  # seconds to wait for connection_init (then close 4408)
    ws_keepalive: float = 12.0  # seconds between server pings / SSE comments (0: off)
    ws_max_subscriptions: int = 50  # active operations per WebSocket
    ws_queue_size: int = 1_000  # frames queued per client; full: the client is dropped (1013)
    ws_allowed_origins: tuple[str, ...] = ()  # WebSocket Origin allow-list (empty: any)
    subscription_protocols: Mapping[str, str] = field(default_factory=dict)  # name -> protocol
    # edge policies and observability (router/policies, router/observability; docs/router.md)
    profile: str = "development"  # "production": the PRODUCTION defaults below apply
    csrf: bool = False  # refuse simple (preflight-free) requests; on in production
    max_body_bytes: int = 2_000_000  # larger request bodies answer 413
    metrics: bool = True  # Prometheus text exposition on GET /metrics
    log_format: str = "text"  # "json": one object per line with request id and tenant
    otlp_endpoint: str = ""  # OTLP/HTTP collector (`/v1/traces` added to a bare URL); "": off
    otlp_service_name: str = "router"  # resource attribute service.name of the spans
    otlp_headers: Mapping[str, str] = field(default_factory=dict)  # e.g. collector auth
    policies_enabled: bool = True  # run router.policies (false: the bare pipeline)
    policies: PoliciesConfig = field(default_factory=PoliciesConfig)  # `policies:` section
    # file uploads and downloads (router/multipart.py, router/passthrough.py; docs/files.md)
    uploads: UploadsConfig = field(default_factory=UploadsConfig)  # `uploads:` section
    passthrough_routes: tuple[PassthroughRoute, ...] = ()  # GET <prefix>... from a subgraph


# defaults of the production profile (explicit settings still win)
PRODUCTION = {"introspection": False, "graphiql": False, "debug_plan_header": False, "csrf": True}


_FIELDS = {f.name: f for f in dataclasses.fields(RouterConfig)}


def load_config(
    path: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    **overrides: Any,
) -> RouterConfig:
    """Defaults, then the YAML file at `path`, then `ROUTER_*` from `env`, then `overrides`
    (None values ignored)."""
    values: dict[str, Any] = {}
    if path is not None:
        loaded = yaml.safe_load(Path(path).read_text()) or {}
        if not isinstance(loaded, dict):
            raise ConfigError(f"{path}: expected a mapping at the top level")
        values.update({str(k).replace("-", "_"): v for k, v in loaded.items()})
    environ = os.environ if env is None else env
    for name in _FIELDS:
        raw = environ.get(f"ROUTER_{name.upper()}")
        if raw is not None:
            values[name] = raw
    values.update({k: v for k, v in overrides.items() if v is not None})
    if str(values.get("profile", "")).strip().lower() == "production":
        for name, value in PRODUCTION.items():
            values.setdefault(name, value)
    try:
        values["policies"] = load_policies(values.get("policies"), environ)
        values["uploads"] = load_uploads(values.get("uploads"), environ)
        if "passthrough_routes" in values:
            values["passthrough_routes"] = load_passthrough(values["passthrough_routes"])
    except (PolicyConfigError, RoutesConfigError) as exc:
        raise ConfigError(str(exc)) from exc
    unknown = set(values) - set(_FIELDS)
    if unknown:
        raise ConfigError(f"unknown router settings: {', '.join(sorted(unknown))}")
    return RouterConfig(**{name: _convert(name, value) for name, value in values.items()})


def _convert(name: str, value: Any) -> Any:
    default = getattr(RouterConfig(), name)
    try:
        if name == "supergraph":
            return Path(value)
        if name == "policies":
            return load_policies(value)
        if name == "uploads":
            return load_uploads(value)
        if name == "passthrough_routes":
            return load_passthrough(value)
        if isinstance(default, bool):
            return _to_bool(value)
        if isinstance(default, int | float):
            return type(default)(value)
        if isinstance(default, tuple):
            items = value.split(",") if isinstance(value, str) else list(value)
            return tuple(str(i).strip().lower() for i in items if str(i).strip())
        if name in ("subgraph_urls", "subscription_protocols", "otlp_headers"):
            if isinstance(value, str):
                pairs = (p.split("=", 1) for p in value.split(",") if "=" in p)
                return {k.strip(): v.strip() for k, v in pairs}
            return {str(k): str(v) for k, v in dict(value).items()}
        return str(value)
    except (TypeError, ValueError, RoutesConfigError) as exc:
        raise ConfigError(f"invalid value for {name}: {value!r}") from exc


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise ValueError(value)
