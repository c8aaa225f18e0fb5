"""Helpers shared by the events tests."""

from __future__ import annotations

from sqlalchemy import text

from subgraphs.kit.events import HandlerContext, record
from subgraphs.kit.events.types import Event
from subgraphs.kit.ids import TenantId
from tests.events.conftest import World
from tests.events.sample_events import SampleHappened


async def produce(world: World, tenant_id: TenantId, count: int, start: int = 0) -> list[Event]:
    events: list[Event] = []
    async with world.session(tenant_id) as session, session.begin():
        for n in range(start, start + count):
            events.append(record(session, SampleHappened(tenant_id=tenant_id, n=n)))
    return events


class EffectLog:
    """A handler whose effect is a row in `tenant_identity`-free scratch space: we count calls
    and, inside the handler's transaction, touch the database to prove the session works."""

    def __init__(self, fail_times: int = 0) -> None:
        self.calls: list[tuple[TenantId, str]] = []
        self.fail_times = fail_times

    async def __call__(self, context: HandlerContext, item: Event) -> None:
        await context.session.execute(text("SELECT 1"))
        if self.fail_times > 0:
            self.fail_times -= 1
            raise RuntimeError("handler failed on purpose")
        self.calls.append((context.tenant_id, str(item.event_id)))
