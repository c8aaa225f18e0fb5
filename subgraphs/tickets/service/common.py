"""What every use case shares: the acting caller and its access level."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from subgraphs.kit.auth.principal import Principal

READ_ALL = "tickets:read"
WRITE = "tickets:write"
CONFIGURE = "tickets:admin"


@dataclass(frozen=True, slots=True)
class Actor:
    """The caller as the tickets domain sees it.

    An agent holds `tickets:write`, a viewer only `tickets:read`; any other authenticated
    person of the tenant (identity's `requester` role, holding `tickets:request`, or a custom
    role without either) is a requester: sees and replies to their own tickets only, never
    internal notes. `tickets:admin` configures the helpdesk.
    """

    user_id: uuid.UUID
    is_agent: bool
    reads_all: bool
    configures: bool

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        return cls(
            user_id=principal.user_id,
            is_agent=principal.can(WRITE),
            reads_all=principal.can(READ_ALL) or principal.can(WRITE),
            configures=principal.can(CONFIGURE),
        )

    @property
    def is_requester(self) -> bool:
        return not self.reads_all
