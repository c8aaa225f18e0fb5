"""Which headers the subgraphs receive: an allow-list, renames, fixed inserts, and the headers
the router itself decides (verified tenant, client address, request id, trace context).

A caller's `x-tenant-id` is never forwarded as is: the tenant header subgraphs trust is always
the one the router resolved (or absent).
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Mapping

from router.policies.config import HeaderSettings
from router.policies.context import EdgeContext
from router.transport import Headers

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class HeaderRules:
    def __init__(
        self,
        settings: HeaderSettings,
        tenant_header: str,
        default_allow: tuple[str, ...] = (),
        never: tuple[str, ...] = (),
    ) -> None:
        self.settings = settings
        self.tenant_header = tenant_header.lower()
        reserved = {self.tenant_header, "x-request-id", "traceparent", "tracestate"}
        reserved.update(h.lower() for h in never)
        allow = settings.allow or default_allow
        self.reserved = frozenset(reserved)
        self.allow = tuple(h.lower() for h in allow if h.lower() not in reserved)
        self.rename = {k.lower(): v.lower() for k, v in settings.rename.items()}
        self.insert = tuple((k.lower(), str(v)) for k, v in settings.insert.items())

    def outgoing(self, incoming: Mapping[str, str], edge: EdgeContext) -> Headers:
        """Headers for every subgraph request of this operation (sorted, lower-case)."""
        out: dict[str, str] = {}
        for name in self.allow:
            value = incoming.get(name)
            if value is not None:
                out[name] = value
        for source, target in self.rename.items():
            value = incoming.get(source)
            if value is not None and target not in self.reserved:
                out[target] = value
        out.update((k, v) for k, v in self.insert if k not in self.reserved)
        if edge.tenant is not None:
            out[self.tenant_header] = edge.tenant.id
        if self.settings.client_ip and edge.client_ip is not None:
            out[self.settings.client_ip.lower()] = edge.client_ip  # never the caller's own value
        if self.settings.request_id:
            out["x-request-id"] = edge.request_id
        if edge.traceparent is not None:
            out["traceparent"] = edge.traceparent
            if "tracestate" in incoming:
                out["tracestate"] = incoming["tracestate"]
        return tuple(sorted(out.items()))


def request_id(incoming: Mapping[str, str]) -> str:
    """The caller's `x-request-id` when well-formed, else a fresh one."""
    given = incoming.get("x-request-id")
    if given and _REQUEST_ID.match(given):
        return given
    return uuid.uuid4().hex


def child_traceparent(incoming: str | None) -> str:
    """A W3C `traceparent` continuing the caller's trace (or starting one) with a new span id."""
    match = _TRACEPARENT.match(incoming or "")
    span = os.urandom(8).hex()
    if match and match.group(1) != "0" * 32:
        return f"00-{match.group(1)}-{span}-{match.group(3)}"
    return f"00-{os.urandom(16).hex()}-{span}-01"
