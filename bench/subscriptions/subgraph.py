"""The benchmark's event source: one strawberry subgraph whose `clock` subscription emits
`{seq, sentAt}` (wall-clock seconds) every `intervalMs`.

    python -m bench.subscriptions.subgraph PORT
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncGenerator

import strawberry
import uvicorn
from strawberry.asgi import GraphQL


@strawberry.type
class Tick:
    seq: int
    sent_at: float


@strawberry.type
class Query:
    @strawberry.field
    def ok(self) -> bool:
        return True


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def clock(self, interval_ms: int = 500) -> AsyncGenerator[Tick, None]:
        seq = 0
        while True:
            await asyncio.sleep(interval_ms / 1000)
            seq += 1
            yield Tick(seq=seq, sent_at=time.time())


SUPERGRAPH = """
schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)
{{ query: Query subscription: Subscription }}

directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA
scalar join__FieldSet
scalar link__Import
enum link__Purpose {{ SECURITY EXECUTION }}
enum join__Graph {{ CLOCK @join__graph(name: "clock", url: "{url}") }}
type Query @join__type(graph: CLOCK) {{ ok: Boolean! }}
type Subscription @join__type(graph: CLOCK) {{ clock(intervalMs: Int! = 500): Tick! }}
type Tick @join__type(graph: CLOCK) {{ seq: Int! sentAt: Float! }}
"""  # noqa: E501


def main() -> None:
    schema = strawberry.Schema(query=Query, subscription=Subscription)
    app = GraphQL[None, None](schema, graphql_ide=None)
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")


if __name__ == "__main__":
    main()
