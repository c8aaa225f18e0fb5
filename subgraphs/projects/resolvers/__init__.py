"""Resolvers of the projects subgraph: parse arguments, call one service function, map."""
