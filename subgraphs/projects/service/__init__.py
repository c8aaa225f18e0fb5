"""Use cases of the projects subgraph, one module per area; no strawberry, no starlette."""
