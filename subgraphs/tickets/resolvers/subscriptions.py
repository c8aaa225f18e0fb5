# mypy: disable-error-code="untyped-decorator"
# (strawberry decorators called with a description are untyped for mypy)
"""Subscriptions (graphql-transport-ws), tenant-scoped by their channel names."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from typing import Any

import strawberry

from subgraphs.tickets.errors import TicketNotFoundError
from subgraphs.tickets.realtime import presence_messages, publish_presence, ticket_messages
from subgraphs.tickets.resolvers.common import caller, parse_id, read, to_filter
from subgraphs.tickets.resolvers.queries import _view_filter
from subgraphs.tickets.service import queries
from subgraphs.tickets.types.config import Presence, TicketEvent
from subgraphs.tickets.types.inputs import PresenceState, TicketFilterInput
from subgraphs.tickets.types.tickets import Ctx, Ticket, User


async def _fetch(info: Ctx, ticket_id: Any) -> Any:
    async def work(session: Any, scope: Any, actor: Any) -> Any:
        try:
            return await queries.get_ticket(session, scope, actor, ticket_id)
        except TicketNotFoundError:
            return None

    return await read(info, work)


@strawberry.type
class Subscription:
    @strawberry.subscription(description="The ticket, each time it changes.")
    async def ticket_updated(self, info: Ctx, id: strawberry.ID) -> AsyncGenerator[Ticket, None]:
        scope, actor = caller(info)
        key = parse_id(id)
        if key is None or await _fetch(info, key) is None:
            raise TicketNotFoundError(field="id")
        async for message in ticket_messages(info.context.deps.pubsub, scope):
            if key not in message.ticket_ids or (message.internal and actor.is_requester):
                continue
            row = await _fetch(info, key)
            if row is not None:
                yield Ticket.of(row)

    @strawberry.subscription(description="Events of the tickets of a saved view or a filter.")
    async def ticket_events(
        self,
        info: Ctx,
        view_id: strawberry.ID | None = None,
        filter: TicketFilterInput | None = None,
    ) -> AsyncGenerator[TicketEvent, None]:
        scope, actor = caller(info)
        spec = await _view_filter(info, view_id) or to_filter(filter)
        async for message in ticket_messages(info.context.deps.pubsub, scope):
            if message.internal and actor.is_requester:
                continue

            async def work(
                session: Any, scope: Any, actor: Any, ids: Any = message.ticket_ids
            ) -> Any:
                return await queries.visible_ids(session, scope, actor, spec, ids)

            for ticket_id in [i for i in message.ticket_ids if i in await read(info, work)]:
                row = await _fetch(info, ticket_id)
                yield TicketEvent(
                    type=message.type,
                    ticket_id=strawberry.ID(str(ticket_id)),
                    ticket=Ticket.of(row) if row is not None else None,
                )

    @strawberry.subscription(
        description="Who views or replies to a ticket (collision "
        "detection); subscribing announces the caller as `state`."
    )
    async def ticket_presence(
        self, info: Ctx, ticket_id: strawberry.ID, state: PresenceState = PresenceState.VIEWING
    ) -> AsyncGenerator[Presence, None]:
        scope, actor = caller(info)
        key = parse_id(ticket_id)
        if key is None or await _fetch(info, key) is None:
            raise TicketNotFoundError(field="ticketId")
        pubsub = info.context.deps.pubsub
        stream = presence_messages(pubsub, scope, key)
        first = asyncio.ensure_future(anext(stream))
        await asyncio.sleep(0)  # subscribed before announcing
        await publish_presence(pubsub, scope, key, actor.user_id, state.value)
        try:
            user, value, at = await first
            while True:
                yield Presence(
                    ticket_id=ticket_id,
                    user=User(id=strawberry.ID(str(user))),
                    state=PresenceState(value),
                    at=at,
                )
                user, value, at = await anext(stream)
        finally:
            first.cancel()
            with contextlib.suppress(Exception):
                await publish_presence(pubsub, scope, key, actor.user_id, "LEFT")
            await stream.aclose()  # type: ignore[attr-defined]
