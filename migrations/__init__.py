"""Alembic trees: `control/` for the control database, `tenant/` (one branch per subgraph)."""
