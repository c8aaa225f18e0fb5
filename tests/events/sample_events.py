"""Event types used only by the tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import ClassVar

from subgraphs.kit.events import Event, register
from subgraphs.kit.ids import TenantId


@register
@dataclass(frozen=True, kw_only=True)
class SampleHappened(Event):
    event_type: ClassVar[str] = "sample.happened"
    domain: ClassVar[str] = "sample"
    description: ClassVar[str] = "Test-only event."
    n: int
    ref: uuid.UUID | None = None


@register
@dataclass(frozen=True, kw_only=True)
class SampleMoved(Event):
    event_type: ClassVar[str] = "sample.moved"
    domain: ClassVar[str] = "sample"
    description: ClassVar[str] = "Test-only event naming a tenant in its payload."
    target_tenant: TenantId
