"""Alembic env of the control database."""

from migrations.runner import run
from subgraphs.tenants.models import ControlBase

run(ControlBase.metadata)
