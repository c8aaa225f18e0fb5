"""Collaborators of the tenants subgraph, built once per process by `build_app`."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from subgraphs.kit.auth.authenticator import Authenticator
from subgraphs.kit.auth.throttle import MemoryThrottle, Rule, Throttle
from subgraphs.tenants.service import TenantProvisioner

SIGNUP_RULE = Rule(limit=10, window=3600)  # self-serve createTenant per client IP


def _no_authenticator() -> Authenticator | None:
    return None


@dataclass(frozen=True, slots=True)
class TenantsDeps:
    provisioner: TenantProvisioner
    base_domain: str
    on_status_change: Callable[[uuid.UUID], Awaitable[None]]
    # the process's authenticator, read per request (identity may install it after this app)
    authenticator: Callable[[], Authenticator | None] = _no_authenticator
    throttle: Throttle = field(default_factory=MemoryThrottle)
    signup_rule: Rule = SIGNUP_RULE
