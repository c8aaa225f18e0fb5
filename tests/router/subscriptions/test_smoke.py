from __future__ import annotations

from subscription_client import Stack, collect, connect, init, subscribe


async def test_ticker(stack: Stack) -> None:
    async with await connect(stack) as ws:
        await init(ws)
        await subscribe(ws, "1", "subscription { ticker(count: 3, intervalMs: 5) }")
        results = await collect(ws, "1")
    assert results == [{"data": {"ticker": i}} for i in (1, 2, 3)]
