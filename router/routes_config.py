"""The `uploads:` and `passthrough_routes:` settings of `RouterConfig` (docs/router.md).

    uploads:                       # POST /graphql multipart/form-data (router/multipart.py)
      enabled: true
      max_file_bytes: 26214400     # each file
      max_files: 10
      max_request_bytes: 26214400  # the whole multipart body
      timeout: 60.0                # seconds for the subgraph to take the upload and answer
    passthrough_routes:            # GET/HEAD streamed from a subgraph (router/passthrough.py)
      - {path_prefix: /files/, subgraph: files}

Environment: `ROUTER_UPLOADS__<KEY>` (like `ROUTER_POLICIES__<SECTION>__<KEY>`), and the older
`ROUTER_MAX_UPLOAD_BYTES`, `ROUTER_MAX_UPLOAD_FILE_BYTES`, `ROUTER_MAX_UPLOAD_FILES`,
`ROUTER_UPLOAD_TIMEOUT` (the `ROUTER_UPLOADS__` form wins when both are set);
`ROUTER_PASSTHROUGH_ROUTES=/files/=files,/exports/=reports`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "PassthroughRoute",
    "RoutesConfigError",
    "UploadsConfig",
    "load_passthrough",
    "load_uploads",
]

UPLOADS_ENV_PREFIX = "ROUTER_UPLOADS__"
_MIB = 1024 * 1024
RESERVED_PATHS = ("/graphql", "/health", "/ready", "/metrics", "/graphiql")
_PREFIX = re.compile(r"^/(?:[A-Za-z0-9._~-]+/)+$")


class RoutesConfigError(Exception):
    """An invalid `uploads:` or `passthrough_routes:` setting."""


@dataclass(frozen=True, slots=True)
class UploadsConfig:
    enabled: bool = True  # false: multipart requests answer 415 UPLOADS_DISABLED
    max_file_bytes: int = 25 * _MIB  # any larger file: 413 UPLOAD_TOO_LARGE
    max_files: int = 10
    max_request_bytes: int = 25 * _MIB  # the whole body; 413 UPLOAD_TOO_LARGE
    timeout: float = 60.0  # seconds for the subgraph to take the upload and answer


@dataclass(frozen=True, slots=True)
class PassthroughRoute:
    """`GET <path_prefix><rest>` answered by `GET <subgraph origin><path_prefix><rest>`."""

    path_prefix: str
    subgraph: str
    forward_headers: tuple[str, ...] = ()  # e.g. (authorization,): none by default
    connect_timeout: float = 2.0  # seconds to reach the subgraph
    timeout: float = 30.0  # seconds for the response to start, then between chunks


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise ValueError(value)


def _legacy_env(env: Mapping[str, str]) -> dict[str, str]:
    found = {
        "max_request_bytes": env.get("ROUTER_MAX_UPLOAD_BYTES"),
        "max_file_bytes": env.get("ROUTER_MAX_UPLOAD_FILE_BYTES"),
        "max_files": env.get("ROUTER_MAX_UPLOAD_FILES"),
        "timeout": env.get("ROUTER_UPLOAD_TIMEOUT"),
    }
    return {k: v for k, v in found.items() if v}


def load_uploads(value: Any, env: Mapping[str, str] | None = None) -> UploadsConfig:
    """`UploadsConfig` from a YAML mapping (or an existing config) plus env overrides."""
    if isinstance(value, UploadsConfig):
        raw: dict[str, Any] = dataclasses.asdict(value)
    elif value is None:
        raw = {}
    elif isinstance(value, Mapping):
        raw = {str(k).replace("-", "_").lower(): v for k, v in value.items()}
    else:
        raise RoutesConfigError("uploads: expected a mapping")
    if env is not None:
        raw.update(_legacy_env(env))
        for key, text in env.items():
            if key.startswith(UPLOADS_ENV_PREFIX):
                raw[key[len(UPLOADS_ENV_PREFIX) :].lower()] = text
    default = UploadsConfig()
    converted: dict[str, Any] = {}
    for key, item in raw.items():
        if not hasattr(default, key):
            raise RoutesConfigError(f"unknown setting uploads.{key}")
        kind = type(getattr(default, key))
        try:
            converted[key] = _to_bool(item) if kind is bool else kind(item)
        except (TypeError, ValueError) as exc:
            raise RoutesConfigError(f"invalid value for uploads.{key}: {item!r}") from exc
        if kind is not bool and converted[key] <= 0:
            raise RoutesConfigError(f"uploads.{key} must be positive, not {item!r}")
    return UploadsConfig(**converted)


def load_passthrough(value: Any) -> tuple[PassthroughRoute, ...]:
    """Routes from a list of mappings, or `prefix=subgraph,...` (the environment form)."""
    if value is None:
        return ()
    if isinstance(value, str):
        pairs = (p.split("=", 1) for p in value.split(",") if p.strip())
        items: list[Any] = []
        for pair in pairs:
            if len(pair) != 2:
                raise RoutesConfigError("passthrough_routes: expected prefix=subgraph,...")
            items.append({"path_prefix": pair[0].strip(), "subgraph": pair[1].strip()})
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise RoutesConfigError("passthrough_routes: expected a list")
    routes = tuple(_route(item) for item in items)
    prefixes = [r.path_prefix for r in routes]
    if len(set(prefixes)) != len(prefixes):
        raise RoutesConfigError("passthrough_routes: a path_prefix is listed twice")
    return routes


def _route(item: Any) -> PassthroughRoute:
    if isinstance(item, PassthroughRoute):
        return item
    if not isinstance(item, Mapping):
        raise RoutesConfigError("passthrough_routes: each route is a mapping")
    raw = {str(k).replace("-", "_").lower(): v for k, v in item.items()}
    known = {f.name for f in dataclasses.fields(PassthroughRoute)}
    unknown = set(raw) - known
    if unknown:
        raise RoutesConfigError(f"unknown passthrough route settings: {sorted(unknown)}")
    prefix, subgraph = str(raw.get("path_prefix", "")), str(raw.get("subgraph", ""))
    if not _PREFIX.match(prefix) or any(s in {".", ".."} for s in prefix.split("/")):
        raise RoutesConfigError(
            f"passthrough path_prefix {prefix!r}: expected /segment/ (letters, digits, ._~-)"
        )
    if any(prefix.startswith(p + "/") or prefix == p for p in RESERVED_PATHS):
        raise RoutesConfigError(f"passthrough path_prefix {prefix!r} shadows a router path")
    if not subgraph:
        raise RoutesConfigError(f"passthrough route {prefix!r} names no subgraph")
    try:
        headers = raw.get("forward_headers") or ()
        if isinstance(headers, str):
            headers = headers.split(",")
        return PassthroughRoute(
            path_prefix=prefix,
            subgraph=subgraph,
            forward_headers=tuple(str(h).strip().lower() for h in headers if str(h).strip()),
            connect_timeout=float(raw.get("connect_timeout", 2.0)),
            timeout=float(raw.get("timeout", 30.0)),
        )
    except (TypeError, ValueError) as exc:
        raise RoutesConfigError(f"passthrough route {prefix!r}: {exc}") from exc
