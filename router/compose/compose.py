"""The composition pipeline: SubgraphSource -> RawSubgraph -> ValidatedSubgraph -> Supergraph."""

from __future__ import annotations

from collections.abc import Sequence

from graphql import GraphQLError, build_ast_schema, parse, validate_schema

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
    supergraph_sdl = print_supergraph(outcome.supergraph)
    invalid = _invalid_supergraph(supergraph_sdl)
    if invalid:
        return CompositionResult(None, outcome.hints, tuple(invalid))
    return CompositionResult(supergraph_sdl, outcome.hints, ())


def _invalid_supergraph(supergraph_sdl: str) -> list[CompositionError]:
    """GraphQL's own schema rules on the merged result (e.g. an implementation field whose
    merged type no longer fits its interface)."""
    try:
        schema = build_ast_schema(parse(supergraph_sdl), assume_valid_sdl=True)
    except (GraphQLError, TypeError) as exc:
        return [CompositionError("INVALID_GRAPHQL", f"invalid supergraph: {exc}", None, None)]
    return [
        CompositionError("INVALID_GRAPHQL", error.message, None, None)
        for error in validate_schema(schema)
    ]
