"""The strawberry fixture is what strawberry prints at the federation version we pin,
and the subgraph kit's version is one both composers accept."""

from __future__ import annotations

from pathlib import Path

import pytest
import strawberry
from compose_fixtures import GuildCompose
from strawberry_subgraphs import FEDERATION_VERSION, IdentityQuery, printed, service_sdl

from router.compose import SubgraphSource, compose

FOLDER = Path(__file__).parent / "fixtures" / "strawberry"


def test_fixture_is_strawberrys_service_sdl() -> None:
    for name, sdl in printed().items():
        assert (FOLDER / f"{name}.graphql").read_text() == sdl, name


def test_strawberry_subgraphs_compose() -> None:
    sources = [SubgraphSource(n, f"http://{n}/graphql", sdl) for n, sdl in printed().items()]
    result = compose(sources)
    assert result.errors == ()
    assert f"federation/v{FEDERATION_VERSION}" not in (result.supergraph_sdl or "")
    assert 'join/v0.4", for: EXECUTION' in (result.supergraph_sdl or "")


def test_the_kits_federation_version_composes_everywhere(guild_compose: GuildCompose) -> None:
    kit = pytest.importorskip("subgraphs.kit.federation")
    schema = strawberry.federation.Schema(
        query=IdentityQuery,
        federation_version=kit.FEDERATION_VERSION,
    )
    sources = [SubgraphSource("identity", "http://identity/graphql", service_sdl(schema))]

    assert compose(sources).errors == ()
    assert "errors" not in guild_compose(sources)
