"""Every composition fixture composes with ours and with The Guild's to the same supergraph.

"The same" means: equal API schemas (sorted, machinery removed) and equal join metadata
(per type and field, sets of join directive arguments, field sets normalised).
"""

from __future__ import annotations

import pytest
from compose_fixtures import GuildCompose, fixture_names, load_fixture
from supergraph_facts import api_schema, join_metadata

from router.compose import SubgraphSource, compose


@pytest.mark.parametrize("name", fixture_names())
def test_composes_like_the_guild(name: str, guild_compose: GuildCompose) -> None:
    subgraphs = load_fixture(name)
    ours = compose(subgraphs)
    theirs = guild_compose(subgraphs)

    assert "errors" not in theirs, theirs
    assert ours.errors == (), [str(e) for e in ours.errors]
    assert ours.supergraph_sdl is not None
    assert api_schema(ours.supergraph_sdl) == api_schema(theirs["supergraphSdl"])
    assert join_metadata(ours.supergraph_sdl) == join_metadata(theirs["supergraphSdl"])


def test_platform_subgraphs_compose_like_the_guild(guild_compose: GuildCompose) -> None:
    """Our own subgraphs: both composers agree (whether the platform composes is
    `saas-platform schema check`'s business)."""
    registry = pytest.importorskip("subgraphs.registry")
    sdls: dict[str, tuple[str, str]] = registry.subgraph_sdls()
    if not sdls:
        pytest.skip("no platform subgraph is built yet")
    subgraphs = [SubgraphSource(n, url, sdl) for n, (url, sdl) in sorted(sdls.items())]
    ours = compose(subgraphs)
    theirs = guild_compose(subgraphs)

    if "errors" in theirs:
        assert {e.code for e in ours.errors} == {e["code"] for e in theirs["errors"]}
        return
    assert ours.errors == (), [str(e) for e in ours.errors]
    assert ours.supergraph_sdl is not None
    assert api_schema(ours.supergraph_sdl) == api_schema(theirs["supergraphSdl"])
    assert join_metadata(ours.supergraph_sdl) == join_metadata(theirs["supergraphSdl"])
