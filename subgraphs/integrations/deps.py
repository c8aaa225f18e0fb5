"""Collaborators of the integrations subgraph (none yet beyond the kit's)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class IntegrationsDeps:
    pass
