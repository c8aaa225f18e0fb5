"""schema/ holds the generated SDL of every subgraph and the composed supergraph; it must match
what the code composes today (regenerate with `saas-platform schema compose`)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from router.supergraph import parse_supergraph
from saas_platform.cli import root

ROOT = Path(__file__).resolve().parents[2]
SUPERGRAPH = ROOT / "schema" / "supergraph.graphql"


def test_committed_supergraph_is_fresh() -> None:
    result = CliRunner().invoke(root, ["schema", "check", "--out", str(SUPERGRAPH)])
    assert result.exit_code == 0, result.output


def test_committed_supergraph_loads_in_the_router() -> None:
    supergraph = parse_supergraph(SUPERGRAPH.read_text())
    assert {"tenants", "identity"} <= set(supergraph.subgraphs)
    query_fields = supergraph.api_schema.query_type.fields  # type: ignore[union-attr]
    assert "tenantBySlug" in query_fields
    assert "me" in query_fields
