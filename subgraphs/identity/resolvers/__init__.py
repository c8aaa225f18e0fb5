"""Thin resolvers: parse arguments, call one service function, map the result."""

from subgraphs.identity.resolvers.mutations import Mutation
from subgraphs.identity.resolvers.queries import Query

__all__ = ["Mutation", "Query"]
