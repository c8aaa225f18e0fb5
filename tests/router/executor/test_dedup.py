"""In-flight deduplication of identical subgraph queries."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from router.transport import DedupClient, SubgraphRequest
from router.transport.fake import FakeSubgraphClient


async def answer(_: dict[str, Any]) -> dict[str, Any]:
    return {"data": {"x": 1}}


def request(auth: str = "a", tenant: str = "t1", mutation: bool = False) -> SubgraphRequest:
    headers = (("authorization", auth), ("x-tenant", tenant))
    return SubgraphRequest("s", "http://s", b'{"query":"{x}"}', headers, is_mutation=mutation)


async def test_identical_concurrent_queries_share_one_request() -> None:
    fake = FakeSubgraphClient({"s": answer}, delay=0.01)
    client = DedupClient(fake)
    responses = await asyncio.gather(*(client.execute(request()) for _ in range(5)))
    assert len(fake.requests) == 1
    assert client.shared == 4
    decoded = [r.decode() for r in responses]
    decoded[0]["data"]["x"] = 2  # each caller decodes a private copy
    assert decoded[1] == {"data": {"x": 1}}


async def test_never_shared_across_auth_or_tenant() -> None:
    fake = FakeSubgraphClient({"s": answer}, delay=0.01)
    client = DedupClient(fake)
    await asyncio.gather(
        client.execute(request("a", "t1")),
        client.execute(request("b", "t1")),
        client.execute(request("a", "t2")),
    )
    assert len(fake.requests) == 3
    assert client.shared == 0


async def test_mutations_are_never_shared() -> None:
    fake = FakeSubgraphClient({"s": answer}, delay=0.01)
    client = DedupClient(fake)
    await asyncio.gather(*(client.execute(request(mutation=True)) for _ in range(3)))
    assert len(fake.requests) == 3


async def test_sequential_requests_are_not_cached() -> None:
    fake = FakeSubgraphClient({"s": answer})
    client = DedupClient(fake)
    await client.execute(request())
    await client.execute(request())
    assert len(fake.requests) == 2


async def test_waiters_get_a_failure_when_the_leader_is_cancelled() -> None:
    fake = FakeSubgraphClient({"s": answer}, delay=0.5)
    client = DedupClient(fake)
    leader = asyncio.create_task(client.execute(request()))
    await asyncio.sleep(0.01)
    waiter = asyncio.create_task(client.execute(request()))
    await asyncio.sleep(0.01)
    leader.cancel()
    response = await waiter
    assert response.failure is not None
    with contextlib.suppress(asyncio.CancelledError):
        await leader
