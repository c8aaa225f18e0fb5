"""Fixtures of the subscription tests: the strawberry subgraphs and the router, served by
uvicorn on loopback ports once per module (helpers in subscription_client.py)."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from subscription_client import Stack, start_stack
from subscription_servers import Recorder, accounts_app, events_app, serve


@pytest.fixture(scope="module")
async def subgraphs() -> AsyncIterator[tuple[str, str, Recorder, Recorder]]:
    events, accounts = Recorder(events_app()), Recorder(accounts_app())
    async with serve(events) as events_url, serve(accounts) as accounts_url:
        yield f"{events_url}/", f"{accounts_url}/", events, accounts


@pytest.fixture(scope="module")
async def stack(subgraphs: tuple[str, str, Recorder, Recorder]) -> AsyncIterator[Stack]:
    async for value in start_stack(
        subgraphs,
        ws_init_timeout=0.5,
        ws_keepalive=0.3,
        ws_max_subscriptions=5,
        ws_queue_size=32,
        ws_allowed_origins=("http://app.example",),
    ):
        yield value
