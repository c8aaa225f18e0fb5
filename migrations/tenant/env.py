"""Alembic env of tenant databases: one branch per subgraph, upgraded together to `heads`."""

from migrations.runner import run

run(None)
