"""A hand-written plan for the gateway benchmark's TestQuery (used to tune the executor before
the planner existed, and to compare the planner's plan against). Any other operation is
refused.

    GATEWAY_CMD='.venv/bin/python -m bench.handplan --supergraph {supergraph} --port {port}'
"""

from __future__ import annotations

import sys
from typing import Any

from graphql import DocumentNode

from router.plan import (
    Fetch,
    FieldSelection,
    Flatten,
    InlineFragmentSelection,
    Parallel,
    PlanNode,
    QueryPlan,
    Sequence,
)

ENTITIES = "query($representations: [_Any!]!) { _entities(representations: $representations) "


def key(typename: str, *fields: str) -> tuple[InlineFragmentSelection, ...]:
    selections = (FieldSelection("__typename"), *(FieldSelection(f) for f in fields))
    return (InlineFragmentSelection(typename, selections),)


def entities(service: str, typename: str, selection: str, *key_fields: str) -> Fetch:
    operation = f"{ENTITIES}{{ ... on {typename} {{ {selection} }} }} }}"
    return Fetch(service, operation, requires=key(typename, *key_fields))


REVIEW_SUB = "id body product { __typename upc }"
AUTHOR = f"author {{ __typename id username reviews {{ {REVIEW_SUB} }} }}"


def product_chain(path: tuple[str, ...]) -> PlanNode:
    return Sequence(
        (
            Flatten(path, entities("products", "Product", "name price weight", "upc")),
            Flatten(
                path,
                entities(
                    "inventory", "Product", "inStock shippingEstimate", "upc", "price", "weight"
                ),
            ),
        )
    )


def build_bench_plan() -> QueryPlan:
    p1 = ("users", "@", "reviews", "@", "product")
    u1 = (*p1, "reviews", "@", "author")
    p2 = (*u1, "reviews", "@", "product")
    u2 = ("topProducts", "@", "reviews", "@", "author")
    p4 = (*u2, "reviews", "@", "product")
    users_branch = Sequence(
        (
            Fetch("accounts", "{ users { __typename id username name } }"),
            Flatten(
                ("users", "@"),
                entities(
                    "reviews",
                    "User",
                    "reviews { id body product { __typename upc "
                    f"reviews {{ id body {AUTHOR} }} }} }}",
                    "id",
                ),
            ),
            Parallel(
                (
                    Flatten(u1, entities("accounts", "User", "name", "id")),
                    product_chain(p1),
                    product_chain(p2),
                )
            ),
        )
    )
    products_branch = Sequence(
        (
            Fetch("products", "{ topProducts { __typename upc name price weight } }"),
            Parallel(
                (
                    Flatten(
                        ("topProducts", "@"),
                        entities(
                            "inventory",
                            "Product",
                            "inStock shippingEstimate",
                            "upc",
                            "price",
                            "weight",
                        ),
                    ),
                    Sequence(
                        (
                            Flatten(
                                ("topProducts", "@"),
                                entities(
                                    "reviews", "Product", f"reviews {{ id body {AUTHOR} }}", "upc"
                                ),
                            ),
                            Parallel(
                                (
                                    Flatten(u2, entities("accounts", "User", "name", "id")),
                                    product_chain(p4),
                                )
                            ),
                        )
                    ),
                )
            ),
        )
    )
    return QueryPlan(Parallel((users_branch, products_branch)))


_PLAN = build_bench_plan()


def hand_planner(_: Any, document: DocumentNode, operation_name: str | None) -> QueryPlan:
    return _PLAN


def main() -> None:
    from router.__main__ import parse_args
    from router.app import build_app

    config = parse_args(sys.argv[1:])
    import uvicorn

    uvicorn.run(
        build_app(config, planner=hand_planner),
        host=config.host,
        port=config.port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level=config.log_level,
    )


if __name__ == "__main__":
    main()
