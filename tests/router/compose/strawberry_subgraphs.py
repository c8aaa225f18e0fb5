"""Two tiny strawberry federation subgraphs; their `_service { sdl }` is fixtures/strawberry/.

`test_strawberry.py` checks the fixture is exactly what strawberry prints, so the cross-check
on that fixture proves strawberry's SDL composes (ours and The Guild's) at FEDERATION_VERSION.
Regenerate with `python tests/router/compose/strawberry_subgraphs.py`.
"""

from __future__ import annotations

import enum
from pathlib import Path

import strawberry
from strawberry.federation.schema_directives import Override

FEDERATION_VERSION = "2.7"  # as subgraphs.kit.federation; see docs/composition.md


@strawberry.enum
class TicketStatus(enum.Enum):
    OPEN = "open"
    CLOSED = "closed"


@strawberry.federation.interface(keys=["id"])
class Node:
    id: strawberry.ID


@strawberry.federation.type(keys=["id"])
class Ticket(Node):
    title: str = strawberry.federation.field(shareable=True)
    status: TicketStatus
    internal_note: str | None = strawberry.federation.field(inaccessible=True)
    assignee: User | None = strawberry.federation.field(provides=["name"])


@strawberry.federation.type(keys=["id"])
class User:
    id: strawberry.ID
    name: str = strawberry.federation.field(external=True)


@strawberry.input
class TicketFilter:
    status: TicketStatus | None = None


@strawberry.type
class TicketsQuery:
    @strawberry.field
    def tickets(self, filter: TicketFilter | None = None) -> list[Ticket]:
        return []


@strawberry.federation.type(keys=["id"])
class Person:
    id: strawberry.ID
    name: str = strawberry.federation.field(shareable=True)
    email: str = strawberry.federation.field(tags=["pii"])
    plan: str = strawberry.federation.field(override=Override(override_from="tickets"))


@strawberry.federation.type(keys=["id"], name="User")
class IdentityUser:
    id: strawberry.ID
    name: str
    person: Person | None


@strawberry.type
class IdentityQuery:
    @strawberry.field
    def me(self) -> IdentityUser | None:
        return None


def tickets_schema() -> strawberry.federation.Schema:
    return strawberry.federation.Schema(query=TicketsQuery, federation_version=FEDERATION_VERSION)


def identity_schema() -> strawberry.federation.Schema:
    return strawberry.federation.Schema(query=IdentityQuery, federation_version=FEDERATION_VERSION)


def service_sdl(schema: strawberry.federation.Schema) -> str:
    result = schema.execute_sync("{ _service { sdl } }")
    assert result.errors is None, result.errors
    assert result.data is not None
    return str(result.data["_service"]["sdl"]) + "\n"


def printed() -> dict[str, str]:
    return {"tickets": service_sdl(tickets_schema()), "identity": service_sdl(identity_schema())}


if __name__ == "__main__":
    folder = Path(__file__).parent / "fixtures" / "strawberry"
    for name, sdl in printed().items():
        (folder / f"{name}.graphql").write_text(sdl)
