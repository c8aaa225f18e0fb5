"""GraphQL shape of the tickets subgraph."""

from subgraphs.tickets.types.tickets import Ctx, Ticket, User

__all__ = ["Ctx", "Ticket", "User"]
