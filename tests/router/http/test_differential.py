"""Differential check: random operations through the router (planner + executor + two real
subgraphs) must answer exactly what one monolith schema answers over the same data, field
order included."""

from __future__ import annotations

import os
import random
from typing import Any

import orjson
from graphql import build_schema, graphql

from tests.router.http.servers import REVIEWS, USERS
from tests.router.http.stack import Stack

SEEDS = int(os.environ.get("DIFF_SEEDS", "60"))  # more for a longer hunt (400 passed)
MONOLITH = build_schema(
    """
    type Query { users: [User] me: User }
    type User { id: ID! name: String reviews: [Review] }
    type Review { id: ID! body: String! }
    """
)


def monolith_root() -> dict[str, Any]:
    users = [{"id": u["id"], "name": u["name"], "reviews": REVIEWS.get(u["id"], [])} for u in USERS]
    return {"users": users, "me": users[0]}


class Generator:
    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.aliases = 0
        self.fragments: list[str] = []

    def directive(self) -> str:
        roll = self.random.random()
        if roll < 0.1:
            return " @include(if: $yes)"
        if roll < 0.2:
            return " @skip(if: $yes)"
        if roll < 0.25:
            return " @include(if: $no)"
        return ""

    def alias(self, name: str) -> str:
        if self.random.random() < 0.3:
            self.aliases += 1
            return f"a{self.aliases}: {name}"
        return name

    def review(self) -> str:
        fields = [
            self.alias(f) + self.directive()
            for f in self.random.sample(["id", "body", "__typename"], self.random.randint(1, 3))
        ]
        return " ".join(fields)

    def user(self, depth: int = 0) -> str:
        names = self.random.sample(
            ["id", "name", "__typename", "reviews"], self.random.randint(1, 4)
        )
        parts = []
        for name in names:
            field = self.alias(name)
            if name == "reviews":
                field += f"{self.directive()} {{ {self.review()} }}"
            else:
                field += self.directive()
            parts.append(field)
        body = " ".join(parts)
        roll = self.random.random()
        if roll < 0.2:
            return f"... on User{self.directive()} {{ {body} }}"
        if roll < 0.35:
            name = f"F{len(self.fragments)}"
            self.fragments.append(f"fragment {name} on User {{ {body} }}")
            return f"...{name}"
        return body

    def operation(self) -> str:
        roots = []
        for root in self.random.sample(["users", "me"], self.random.randint(1, 2)):
            selections = " ".join(self.user() for _ in range(self.random.randint(1, 3)))
            roots.append(f"{self.alias(root)}{self.directive()} {{ {selections} }}")
        if self.random.random() < 0.2:
            roots.append("__typename")
        body = " ".join([" ".join(roots) + " }", *self.fragments])
        variables = [
            declaration
            for name, declaration in (
                ("$yes", "$yes: Boolean! = true"),
                ("$no", "$no: Boolean = false"),
            )
            if name in body
        ]
        head = f"query Q({', '.join(variables)}) {{ " if variables else "query Q { "
        return head + body


async def test_router_answers_like_a_monolith(stack: Stack) -> None:
    root = monolith_root()
    for seed in range(SEEDS):
        query = Generator(seed).operation()
        expected = await graphql(MONOLITH, query, root_value=root)
        assert expected.errors is None, (query, expected.errors)
        response = await stack.post(query)
        body = response.json()
        assert "errors" not in body, (query, body)
        assert orjson.dumps(body["data"]) == orjson.dumps(expected.data), query
