"""Root fields of the chat subgraph."""

from subgraphs.chat.resolvers.mutations import Mutation
from subgraphs.chat.resolvers.queries import Query
from subgraphs.chat.resolvers.subscriptions import Subscription

__all__ = ["Mutation", "Query", "Subscription"]
