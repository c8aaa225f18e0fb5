"""Bad subgraphs give stable error codes naming the subgraph and the schema coordinate.

Each case is also given to The Guild's composition, which must reject it too (with the same
code where both implement the rule).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from compose_fixtures import GuildCompose

from router.compose import SubgraphSource, compose

F23 = '\nextend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: [{}])\n'
ALL = '"@key", "@shareable", "@external", "@requires", "@provides", "@override", "@inaccessible"'
HEAD = F23.format(ALL)


@dataclass(frozen=True)
class Case:
    code: str
    subgraphs: dict[str, str]
    subgraph: str | None
    coordinate: str | None
    guild_code: str | None = None  # when The Guild reports the problem under another code


CASES = [
    Case("INVALID_GRAPHQL", {"a": HEAD + "type Query { a: }"}, "a", None),
    Case("INVALID_GRAPHQL", {"a": HEAD + "type Query { a: Missing }"}, "a", "Query.a"),
    Case("INVALID_GRAPHQL", {"a": HEAD + "type Query { a: Int @nope }"}, "a", "Query.a"),
    Case(
        "KEY_FIELDS_HAS_ARGS",
        {"a": HEAD + 'type Query { u: U } type U @key(fields: "id") { id(x: Int): ID! }'},
        "a",
        "U",
    ),
    Case(
        "KEY_INVALID_FIELDS",
        {"a": HEAD + 'type Query { u: U } type U @key(fields: "uuid") { id: ID! }'},
        "a",
        "U",
    ),
    Case(
        "KEY_FIELDS_SELECT_INVALID_TYPE",
        {
            "a": HEAD + 'type Query { u: U } type U @key(fields: "n { id }") { n: N! }'
            " interface N { id: ID! }"
        },
        "a",
        "U",
    ),
    Case(
        "FIELD_TYPE_MISMATCH",
        {
            "a": HEAD + "type Query { x: Int @shareable }",
            "b": HEAD + "type Query { x: String @shareable }",
        },
        "b",
        "Query.x",
    ),
    Case(
        "INVALID_FIELD_SHARING",
        {
            "a": HEAD + "type Query { x: Int }",
            "b": HEAD + "type Query { x: Int @shareable }",
        },
        "a",
        "Query.x",
    ),
    Case(
        "EXTERNAL_MISSING_ON_BASE",
        {
            "a": HEAD + 'type Query { u: U } type U @key(fields: "id") { id: ID! }',
            "b": HEAD + 'type U @key(fields: "id") { id: ID! n: Int @external'
            ' m: Int @requires(fields: "n") }',
        },
        "b",
        "U.n",
    ),
    Case(
        "REQUIRES_INVALID_FIELDS",
        {
            "a": HEAD + 'type Query { u: U } type U @key(fields: "id") { id: ID!'
            ' m: Int @requires(fields: "nope") }'
        },
        "a",
        "U.m",
    ),
    Case(
        "REQUIRES_FIELDS_MISSING_EXTERNAL",
        {
            "a": HEAD + 'type Query { u: U } type U @key(fields: "id") { id: ID! n: Int'
            ' m: Int @requires(fields: "n") }'
        },
        "a",
        "U.m",
    ),
    Case(
        "PROVIDES_INVALID_FIELDS",
        {
            "a": HEAD + 'type Query { u: U @provides(fields: "nope") }'
            ' type U @key(fields: "id") { id: ID! }'
        },
        "a",
        "Query.u",
    ),
    Case(
        "PROVIDES_FIELDS_MISSING_EXTERNAL",
        {
            "a": HEAD + 'type Query { u: U @provides(fields: "n") }'
            ' type U @key(fields: "id") { id: ID! n: Int }'
        },
        "a",
        "Query.u",
    ),
    Case(
        "PROVIDES_ON_NON_OBJECT_FIELD",
        {"a": HEAD + 'type Query { n: Int @provides(fields: "x") }'},
        "a",
        "Query.n",
    ),
    Case(
        "EXTERNAL_UNUSED",
        {
            "a": HEAD + 'type Query { u: U } type U @key(fields: "id") { id: ID! n: Int }',
            "b": HEAD + 'type U @key(fields: "id") { id: ID! n: Int @external }',
        },
        "b",
        "U.n",
    ),
    Case(
        "OVERRIDE_SOURCE_HAS_OVERRIDE",
        {
            "a": HEAD + 'type Query { u: U } type U @key(fields: "id") { id: ID!'
            ' n: Int @override(from: "b") }',
            "b": HEAD + 'type U @key(fields: "id") { id: ID! n: Int @override(from: "a") }',
        },
        "a",
        "U.n",
    ),
    Case(
        "OVERRIDE_FROM_SELF_ERROR",
        {"a": HEAD + 'type Query { n: Int @override(from: "a") }'},
        "a",
        "Query.n",
    ),
    Case(
        "ENUM_VALUE_MISMATCH",
        {
            "a": HEAD + "type Query { e(x: E): E @shareable } enum E { ONE TWO }",
            "b": HEAD + "type Query { e(x: E): E @shareable } enum E { ONE }",
        },
        "b",
        "E.TWO",
    ),
    Case(
        "TYPE_KIND_MISMATCH",
        {
            "a": HEAD + "type Query { t: T @shareable } type T { x: Int @shareable }",
            "b": HEAD + "type Query { t: T @shareable } interface T { x: Int }",
        },
        "b",
        "T",
    ),
    Case(
        "REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH",
        {
            "a": HEAD + "type Query { x(a: Int!): Int @shareable }",
            "b": HEAD + "type Query { x: Int @shareable }",
        },
        "b",
        "Query.x(a:)",
    ),
    Case(
        "REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH",
        {
            "a": HEAD + "type Query { x(i: I): Int } input I { a: Int! b: Int }",
            "b": HEAD + "type Query { y(i: I): Int } input I { b: Int }",
        },
        "b",
        "I.a",
    ),
    Case(
        "EMPTY_MERGED_INPUT_TYPE",
        {
            "a": HEAD + "type Query { x(i: I): Int } input I { a: Int }",
            "b": HEAD + "type Query { y(i: I): Int } input I { b: Int }",
        },
        "a",
        "I",
    ),
    Case(
        "UNKNOWN_FEDERATION_LINK_VERSION",
        {
            "a": 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.99",'
            ' import: ["@key"]) type Query { x: Int }'
        },
        "a",
        None,
    ),
    Case(
        "EXTERNAL_TYPE_MISMATCH",
        {
            "a": HEAD + 'type Query { u: U } type U @key(fields: "id") { id: ID! n: Int }',
            "b": HEAD + 'type U @key(fields: "id") { id: ID! n: Int! @external'
            ' m: Int @requires(fields: "n") }',
        },
        "b",
        "U.n",
    ),
    Case(
        "EXTERNAL_ARGUMENT_MISSING",
        {
            "a": HEAD + 'type Query { u: U } type U @key(fields: "id") { id: ID! n(x: Int): Int }',
            "b": HEAD + 'type U @key(fields: "id") { id: ID! n: Int @external'
            ' m: Int @requires(fields: "n") }',
        },
        "b",
        "U.n(x:)",
    ),
    Case(
        "MERGED_DIRECTIVE_APPLICATION_ON_EXTERNAL",
        {
            "a": HEAD + 'type Query { u: U } type U @key(fields: "id") { id: ID! n: Int }',
            "b": HEAD + 'type U @key(fields: "id") { id: ID! n: Int @external @inaccessible'
            ' m: Int @requires(fields: "n") }',
        },
        "b",
        "U.n",
    ),
    Case(
        "REFERENCED_INACCESSIBLE",
        {"a": HEAD + "type Query { h: Hidden x: Int } type Hidden @inaccessible { x: Int }"},
        None,
        "Query.h",
    ),
    Case(
        "IMPLEMENTED_BY_INACCESSIBLE",
        {
            "a": HEAD + "type Query { i: I } interface I { x: Int } type T implements I"
            " { x: Int @inaccessible }"
        },
        None,
        "T.x",
    ),
    Case(
        "INVALID_GRAPHQL",
        {"a": HEAD + "type Query { i: I } interface I { x: Int! } type T implements I { x: Int }"},
        "a",
        "T.x",
    ),
    Case("INVALID_GRAPHQL", {"a": "type Query @shareable { x: Int }"}, "a", "Query"),
    Case(
        "INVALID_LINK_DIRECTIVE_USAGE",
        {
            "a": 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.5",'
            ' import: ["@policy"]) type Query { x: Int }'
        },
        "a",
        None,
    ),
    Case(
        "FIELD_ARGUMENT_DEFAULT_MISMATCH",
        {
            "a": HEAD + "type Query { x(a: Int = 1): Int @shareable }",
            "b": HEAD + "type Query { x(a: Int = 2): Int @shareable }",
        },
        "b",
        "Query.x(a:)",
    ),
    Case(
        "INPUT_FIELD_DEFAULT_MISMATCH",
        {
            "a": HEAD + "type Query { x(i: I): Int } input I { f: Int = 1 }",
            "b": HEAD + "type Query { y(i: I): Int } input I { f: Int = 2 }",
        },
        "b",
        "I.f",
    ),
    Case(
        "REQUIRED_INACCESSIBLE",
        {"a": HEAD + "type Query { x(i: I): Int } input I { f: Int! @inaccessible g: Int }"},
        None,
        "I.f",
    ),
    Case(
        "ONLY_INACCESSIBLE_CHILDREN",
        {"a": HEAD + "type Query { x(i: I): Int } input I { f: Int @inaccessible }"},
        None,
        "I",
    ),
    Case(
        "PROVIDES_FIELDS_HAS_ARGS",
        {
            "a": HEAD + 'type Query { u: U @provides(fields: "n") }'
            ' type U @key(fields: "id") { id: ID! n(x: Int): Int @external }',
            "b": HEAD + 'type U @key(fields: "id") { id: ID! n(x: Int): Int @shareable }',
        },
        "a",
        "Query.u",
    ),
    Case(
        "SATISFIABILITY_ERROR",
        {
            "a": HEAD + "type Query { l: L } type L { x: Int @shareable }",
            "b": HEAD + "type Query { other: L @shareable } type L { x: Int @shareable y: Int }",
        },
        "a",
        "L.y",
    ),
    Case(
        "SATISFIABILITY_ERROR",
        {
            "a": HEAD + 'type Query { u: U } type U @key(fields: "id") { id: ID! }',
            "b": HEAD + 'type U @key(fields: "id") { id: ID! @override(from: "a") n: Int }',
        },
        "a",
        "U.n",
    ),
]


def _sources(case: Case) -> list[SubgraphSource]:
    return [SubgraphSource(n, f"http://{n}/graphql", sdl) for n, sdl in case.subgraphs.items()]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.code}-{i}" for i, c in enumerate(CASES)])
def test_error_code(case: Case) -> None:
    result = compose(_sources(case))

    assert result.supergraph_sdl is None
    found = [(e.code, e.subgraph, e.coordinate) for e in result.errors]
    assert (case.code, case.subgraph, case.coordinate) in found, result.errors


@pytest.mark.parametrize("case", CASES, ids=[f"{c.code}-{i}" for i, c in enumerate(CASES)])
def test_the_guild_rejects_too(case: Case, guild_compose: GuildCompose) -> None:
    theirs = guild_compose(_sources(case))

    assert "errors" in theirs
    assert (case.guild_code or case.code) in {e["code"] for e in theirs["errors"]}, theirs


def test_no_subgraphs() -> None:
    assert compose([]).errors[0].code == "NO_SUBGRAPHS"


def test_duplicate_subgraph_names() -> None:
    sdl = HEAD + "type Query { x: Int }"
    result = compose([SubgraphSource("a", "http://a", sdl), SubgraphSource("a", "http://b", sdl)])
    assert [e.code for e in result.errors] == ["INVALID_SUBGRAPH_NAME"]
