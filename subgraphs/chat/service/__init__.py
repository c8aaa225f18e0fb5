"""Use cases of the chat subgraph (no strawberry, no starlette)."""
