"""Use cases of the identity subgraph, split by area. No strawberry, no starlette here."""
