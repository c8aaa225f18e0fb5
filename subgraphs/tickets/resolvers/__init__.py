"""Root resolvers of the tickets subgraph."""

from subgraphs.tickets.resolvers.mutations import Mutation
from subgraphs.tickets.resolvers.queries import Query
from subgraphs.tickets.resolvers.subscriptions import Subscription

__all__ = ["Mutation", "Query", "Subscription"]
