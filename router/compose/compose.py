"""The composition pipeline: SubgraphSource -> RawSubgraph -> ValidatedSubgraph -> Supergraph."""

from __future__ import annotations

from collections.abc import Sequence

from router.compose.merge import merge
from router.compose.model import RawSubgraph, ValidatedSubgraph
from router.compose.printer import print_supergraph
from router.compose.result import CompositionError, CompositionResult, SubgraphSource
from router.compose.satisfiability import check_satisfiability
from router.compose.subgraph import read_subgraph
from router.compose.validate import validate_subgraph


def _validated(
    subgraphs: Sequence[SubgraphSource],
) -> tuple[list[ValidatedSubgraph], list[CompositionError]]:
    validated: list[ValidatedSubgraph] = []
    errors: list[CompositionError] = []
    seen: set[str] = set()
    for source in subgraphs:
        if source.name in seen:
            message = f'A subgraph named "{source.name}" already exists'
            errors.append(CompositionError("INVALID_SUBGRAPH_NAME", message, source.name, None))
            continue
        seen.add(source.name)
        raw = read_subgraph(source)
        if not isinstance(raw, RawSubgraph):
            errors.extend(raw)
            continue
        checked = validate_subgraph(raw)
        if isinstance(checked, ValidatedSubgraph):
            validated.append(checked)
        else:
            errors.extend(checked)
    return validated, errors


def compose(subgraphs: Sequence[SubgraphSource]) -> CompositionResult:
    """Compose subgraphs into a supergraph SDL; problems come back as values, never raised."""
    if not subgraphs:
        error = CompositionError("NO_SUBGRAPHS", "At least one subgraph is required", None, None)
        return CompositionResult(None, (), (error,))
    validated, errors = _validated(subgraphs)
    if errors:
        return CompositionResult(None, (), tuple(errors))
    outcome = merge(validated)
    if outcome.supergraph is None:
        return CompositionResult(None, outcome.hints, outcome.errors)
    unsatisfiable = check_satisfiability(outcome.supergraph)
    if unsatisfiable:
        return CompositionResult(None, outcome.hints, tuple(unsatisfiable))
    return CompositionResult(print_supergraph(outcome.supergraph), outcome.hints, ())
