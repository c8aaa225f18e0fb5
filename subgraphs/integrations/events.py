"""Events of the integrations subgraph."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import ClassVar

from subgraphs.kit.events import Event, register


@register
@dataclass(frozen=True, kw_only=True)
class WebhookEndpointDisabled(Event):
    event_type: ClassVar[str] = "integrations.webhook_endpoint_disabled"
    domain: ClassVar[str] = "integrations"
    description: ClassVar[str] = (
        "A webhook endpoint was disabled after too many consecutive failed attempts; "
        "`notify` lists the users to tell (who registered it), notifications does."
    )
    endpoint_id: uuid.UUID
    url: str
    consecutive_failures: int
    notify: tuple[uuid.UUID, ...] = ()
