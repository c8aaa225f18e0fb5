"""The strawberry fixture is what strawberry prints at the federation version we pin."""

from __future__ import annotations

from pathlib import Path

from strawberry_subgraphs import FEDERATION_VERSION, printed

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
    assert 'join/v0.5", for: EXECUTION' in (result.supergraph_sdl or "")
