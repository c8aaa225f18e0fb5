"""The chat subgraph: conversations, messages, routing, presence and realtime (port 8006)."""
