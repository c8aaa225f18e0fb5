"""Typed identifiers shared by the kit and every subgraph."""

from __future__ import annotations

import uuid
from typing import NewType

TenantId = NewType("TenantId", uuid.UUID)

__all__ = ["TenantId", "parse_tenant_id"]


def parse_tenant_id(raw: str) -> TenantId | None:
    """A `TenantId` from its textual form, or None when `raw` is not a UUID."""
    try:
        return TenantId(uuid.UUID(raw))
    except (ValueError, AttributeError):
        return None
