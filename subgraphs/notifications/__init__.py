"""The notifications subgraph: in-app notifications, preferences, email and Web Push."""
