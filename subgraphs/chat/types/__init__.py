"""Strawberry types of the chat subgraph: GraphQL shape only."""
