"""Composition: subgraph SDLs -> supergraph SDL (Apollo Federation v2 rules).

    compose([SubgraphSource(name, url, sdl), ...]) -> CompositionResult

Stages (each its own module, joined only by data): `subgraph.py` parses a `RawSubgraph`,
`validate.py` checks it into a `ValidatedSubgraph`, `merge.py` merges those into a
`Supergraph`, `satisfiability.py` checks that every field can be reached, `printer.py` renders
the supergraph SDL. See docs/composition.md.
"""

from __future__ import annotations

from router.compose.compose import compose
from router.compose.fetch import SubgraphFetchError, fetch_subgraph_sdl
from router.compose.result import CompositionError, CompositionResult, Hint, SubgraphSource

__all__ = [
    "CompositionError",
    "CompositionResult",
    "Hint",
    "SubgraphFetchError",
    "SubgraphSource",
    "compose",
    "fetch_subgraph_sdl",
]
