"""Hints: what composition changed or noticed without failing. Codes follow Apollo's."""

from __future__ import annotations

from router.compose.result import Hint


def inconsistent_argument_presence(coordinate: str, missing_in: list[str]) -> Hint:
    return Hint(
        "INCONSISTENT_ARGUMENT_PRESENCE",
        f'Optional argument "{coordinate}" will not be included in the supergraph as it does '
        f"not appear in all subgraphs: it is missing in {_subgraphs(missing_in)}",
        missing_in[0],
        coordinate,
    )


def inconsistent_input_field(coordinate: str, missing_in: list[str]) -> Hint:
    return Hint(
        "INCONSISTENT_INPUT_OBJECT_FIELD",
        f'Input object field "{coordinate}" will not be added to the supergraph as it does not '
        f"appear in all subgraphs: it is missing in {_subgraphs(missing_in)}",
        missing_in[0],
        coordinate,
    )


def inconsistent_enum_value(coordinate: str, missing_in: list[str]) -> Hint:
    return Hint(
        "INCONSISTENT_ENUM_VALUE_FOR_INPUT_ENUM",
        f'Value "{coordinate}" of input enum will not be part of the supergraph as it is not '
        f"defined in all subgraphs: it is missing in {_subgraphs(missing_in)}",
        missing_in[0],
        coordinate,
    )


def unknown_override_source(coordinate: str, subgraph: str, source: str) -> Hint:
    return Hint(
        "FROM_SUBGRAPH_DOES_NOT_EXIST",
        f'Source subgraph "{source}" for field "{coordinate}" on subgraph "{subgraph}" does '
        "not exist.",
        subgraph,
        coordinate,
    )


def _subgraphs(names: list[str]) -> str:
    return ", ".join(f'subgraph "{n}"' for n in names)
