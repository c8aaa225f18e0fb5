"""Collaborators of the tenants subgraph, built once per process by `build_app`."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from subgraphs.tenants.service import TenantProvisioner


@dataclass(frozen=True, slots=True)
class TenantsDeps:
    provisioner: TenantProvisioner
    base_domain: str
    on_status_change: Callable[[uuid.UUID], Awaitable[None]]
