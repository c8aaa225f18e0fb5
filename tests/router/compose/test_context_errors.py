"""`@context` / `@fromContext` (Federation 2.8): invalid uses give stable codes naming the
subgraph and the argument's coordinate, and The Guild's composition rejects the same input
with the same code. Valid uses are in the cross-check fixtures (`fixtures/context_*`)."""

from __future__ import annotations

import pytest
from compose_fixtures import GuildCompose
from test_errors import Case, _sources

from router.compose import compose

HEAD = (
    '\nextend schema @link(url: "https://specs.apollo.dev/federation/v2.8", import: '
    '["@key", "@context", "@fromContext", "@shareable", "@interfaceObject"])\n'
)
USER = (
    'type Query { u: U } type U @key(fields: "id") @context(name: "ctx") '
    "{ id: ID! n: String t: T }\n"
)


def _t(argument: str, key: str = '@key(fields: "id")') -> str:
    return HEAD + USER + f"type T {key} {{ id: ID! g({argument}): Int }}"


CASES = [
    Case(
        "CONTEXT_NAME_INVALID",
        {"a": _t('w: String @fromContext(field: "$c_x { n }")').replace('"ctx"', '"c_x"')},
        "a",
        "U",
    ),
    Case(
        "NO_CONTEXT_IN_SELECTION",
        {"a": _t('w: String @fromContext(field: "{ n }")')},
        "a",
        "T.g(w:)",
    ),
    Case(
        "NO_CONTEXT_IN_SELECTION",
        {"a": _t('w: String @fromContext(field: "$ctx")')},
        "a",
        "T.g(w:)",
    ),
    Case(
        "CONTEXT_NOT_SET",
        {"a": _t('w: String @fromContext(field: "$other { n }")')},
        "a",
        "T.g(w:)",
    ),
    Case(
        "CONTEXT_NOT_SET",
        {"a": _t('w: String = "x" @fromContext(field: "$ctx { n }")')},
        "a",
        "T.g(w:)",
    ),
    Case(
        "CONTEXT_NOT_SET",
        {
            "a": HEAD + USER + 'type T @key(fields: "id") { id: ID! }'
            ' interface I { g(w: String @fromContext(field: "$ctx { n }")): Int }'
        },
        "a",
        "I.g(w:)",
    ),
    Case(
        "CONTEXT_INVALID_SELECTION",
        {"a": _t('w: String @fromContext(field: "$ctx { nope }")')},
        "a",
        "T.g(w:)",
    ),
    Case(
        "CONTEXT_INVALID_SELECTION",
        {"a": _t('w: Int @fromContext(field: "$ctx { n }")')},
        "a",
        "T.g(w:)",
    ),
    Case(
        "CONTEXT_INVALID_SELECTION",
        {"a": _t('w: String @fromContext(field: "$ctx { id n }")')},
        "a",
        "T.g(w:)",
    ),
    Case(
        "CONTEXT_INVALID_SELECTION",
        {"a": _t('w: String @fromContext(field: "$ctx { x: n }")')},
        "a",
        "T.g(w:)",
    ),
    Case(
        "CONTEXT_INVALID_SELECTION",
        {"a": _t('w: String @fromContext(field: "$ctx ... on Nope { n }")')},
        "a",
        "T.g(w:)",
    ),
    Case(
        "CONTEXT_NO_RESOLVABLE_KEY",
        {"a": _t('w: String @fromContext(field: "$ctx { n }")', key="")},
        "a",
        "T.g(w:)",
    ),
    Case(
        "CONTEXTUAL_ARGUMENT_NOT_CONTEXTUAL_IN_ALL_SUBGRAPHS",
        {
            "a": _t('w: String @fromContext(field: "$ctx { n }")')
            .replace("g(w", "g(w")
            .replace("): Int }", "): Int @shareable }"),
            "b": HEAD + 'type T @key(fields: "id") { id: ID! g(w: String!): Int @shareable }',
        },
        "b",
        "T.g(w:)",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.code}-{i}" for i, c in enumerate(CASES)])
def test_context_error_code(case: Case) -> None:
    result = compose(_sources(case))

    assert result.supergraph_sdl is None
    found = [(e.code, e.subgraph, e.coordinate) for e in result.errors]
    assert (case.code, case.subgraph, case.coordinate) in found, result.errors


@pytest.mark.parametrize("case", CASES, ids=[f"{c.code}-{i}" for i, c in enumerate(CASES)])
def test_the_guild_rejects_the_context_case_too(case: Case, guild_compose: GuildCompose) -> None:
    theirs = guild_compose(_sources(case))

    assert "errors" in theirs
    assert (case.guild_code or case.code) in {e["code"] for e in theirs["errors"]}, theirs
