"""`saas-platform schema compose|check` over subgraphs fetched with --subgraph NAME=URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from compose_fixtures import load_fixture
from typer.testing import CliRunner

from router.compose import SubgraphSource
from saas_platform.commands import schema

runner = CliRunner()
FED2 = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])\n'


@pytest.fixture
def fetched(monkeypatch: pytest.MonkeyPatch) -> dict[str, SubgraphSource]:
    """Serve the bench fixture's SDLs to `fetch_subgraph_sdl` by URL."""
    served = {s.url: s for s in load_fixture("bench_gateways")}

    async def fake_fetch(name: str, url: str, *, timeout: float = 5.0) -> SubgraphSource:  # noqa: ASYNC109
        return SubgraphSource(name, url, served[url].sdl)

    monkeypatch.setattr(schema, "fetch_subgraph_sdl", fake_fetch)
    return served


def _options(served: dict[str, SubgraphSource]) -> list[str]:
    return [arg for s in served.values() for arg in ("--subgraph", f"{s.name}={s.url}")]


def test_compose_writes_supergraph_and_subgraphs(
    tmp_path: Path, fetched: dict[str, SubgraphSource]
) -> None:
    out = tmp_path / "schema" / "supergraph.graphql"
    result = runner.invoke(schema.app, ["compose", *_options(fetched), "--out", str(out)])

    assert result.exit_code == 0, result.output
    assert '@join__graph(name: "accounts"' in out.read_text()
    assert sorted(p.name for p in (out.parent / "subgraphs").iterdir()) == [
        "accounts.graphql",
        "inventory.graphql",
        "products.graphql",
        "reviews.graphql",
    ]
    check = runner.invoke(schema.app, ["check", *_options(fetched), "--out", str(out)])
    assert check.exit_code == 0, check.output


def test_check_fails_when_stale(tmp_path: Path, fetched: dict[str, SubgraphSource]) -> None:
    out = tmp_path / "supergraph.graphql"
    runner.invoke(schema.app, ["compose", *_options(fetched), "--out", str(out)])
    out.write_text(out.read_text() + "\n# edited\n")

    check = runner.invoke(schema.app, ["check", *_options(fetched), "--out", str(out)])

    assert check.exit_code == 1
    assert "stale" in check.output


def test_compose_errors_exit_1_with_code_subgraph_and_coordinate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def fake_fetch(name: str, url: str, *, timeout: float = 5.0) -> SubgraphSource:  # noqa: ASYNC109
        return SubgraphSource(name, url, FED2 + "type Query { x: Int }")

    monkeypatch.setattr(schema, "fetch_subgraph_sdl", fake_fetch)
    out = tmp_path / "supergraph.graphql"
    args = ["compose", "-s", "a=http://a", "-s", "b=http://b", "--out", str(out)]

    result = runner.invoke(schema.app, args)

    assert result.exit_code == 1
    assert "INVALID_FIELD_SHARING" in result.output
    assert "[a] Query.x" in result.output
    assert not out.exists()


def test_bad_subgraph_option() -> None:
    result = runner.invoke(schema.app, ["compose", "--subgraph", "nourl"])
    assert result.exit_code == 2


def test_compose_without_registry_explains(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> object:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)

    monkeypatch.setattr(schema.importlib, "import_module", missing)

    result = runner.invoke(schema.app, ["compose"])

    assert result.exit_code == 2
    assert "--subgraph NAME=URL" in result.output
