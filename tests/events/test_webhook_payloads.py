"""Webhook bodies use the GraphQL subscriptions' field names and shapes (issue 6, item 5)."""

from __future__ import annotations

import importlib
import uuid
from typing import Any

import orjson
import pytest
from graphql import FieldNode, GraphQLObjectType, SelectionSetNode, get_named_type, parse, validate
from redis.asyncio import Redis

from subgraphs.integrations.dispatcher import WebhookDispatcher, WebhookOptions
from subgraphs.kit.events import EVENT_TYPES
from subgraphs.kit.events.catalog import load_platform_events
from subgraphs.kit.events.public import (
    SHAPES,
    WEBHOOK_API_VERSION,
    Shape,
    public_data,
    selection,
)
from subgraphs.registry import PORTS
from subgraphs.tickets.events import TicketCreated
from tests.events.conftest import World
from tests.events.helpers import add_endpoint, fan_out, produce
from tests.events.receiver import Script, receiver
from tests.events.sample_events import SampleHappened

FAST = WebhookOptions(allow_private=True, timeout=0.5, retry_base=0.0)
_SCHEMAS: dict[str, Any] = {}


def graphql_schema(subgraph: str) -> Any:
    if subgraph not in _SCHEMAS:
        module = importlib.import_module(f"subgraphs.{subgraph}.app")
        _SCHEMAS[subgraph] = module.build_schema()._schema
    return _SCHEMAS[subgraph]


def selection_keys(node: SelectionSetNode) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for field in node.selections:
        assert isinstance(field, FieldNode)
        name = field.alias.value if field.alias else field.name.value
        found[name] = selection_keys(field.selection_set) if field.selection_set else None
    return found


def data_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: data_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return data_keys(value[0]) if value else None
    return None


def expected_keys(shape: Shape) -> dict[str, Any]:
    document = parse(selection(shape))
    operation = document.definitions[0]
    [root] = operation.selection_set.selections  # type: ignore[attr-defined]
    return selection_keys(root.selection_set)


@pytest.mark.parametrize("event_type", sorted(SHAPES))
def test_every_shape_is_a_valid_subscription_selection(event_type: str) -> None:
    load_platform_events(PORTS)
    assert event_type in EVENT_TYPES, f"shape for unknown event type {event_type}"
    shape = SHAPES[event_type]
    schema = graphql_schema(shape.subgraph)
    errors = validate(schema, parse(selection(shape)))
    assert errors == [], [e.message for e in errors]
    field = schema.subscription_type.fields[shape.subscription]
    returned = get_named_type(field.type)
    assert isinstance(returned, GraphQLObjectType)
    assert returned.name == shape.graphql_type


def test_unmapped_types_send_their_payload_in_camel_case() -> None:
    ref = uuid.uuid4()
    item = SampleHappened(tenant_id=uuid.uuid4(), n=3, ref=ref)  # type: ignore[arg-type]
    assert public_data(item) == {"n": 3, "ref": str(ref)}


@pytest.mark.postgres
@pytest.mark.redis
async def test_delivered_ticket_webhook_matches_the_subscription(
    world: World, redis: Redis
) -> None:
    tenant = world.tenants[0]
    ticket_id, requester = uuid.uuid4(), uuid.uuid4()
    script = Script([200])
    with receiver(script) as url:
        await add_endpoint(world, tenant, url, ["tickets.ticket_created"])
        async with world.session(tenant) as session, session.begin():
            from subgraphs.kit.events import record

            item = record(
                session,
                TicketCreated(
                    tenant_id=tenant, ticket_id=ticket_id, number=42, requester_id=requester
                ),
            )
        await produce(world, tenant, 1)  # another type: filtered out by the endpoint
        await fan_out(world, redis)
        dispatcher = WebhookDispatcher(world.source, world.session, FAST)
        assert await dispatcher.run_once() == 1
        await dispatcher.aclose()
    [got] = script.received
    body = orjson.loads(got.body)
    assert set(body) == {"id", "type", "apiVersion", "occurredAt", "tenantId", "actor", "data"}
    assert body["id"] == str(item.event_id)
    assert body["type"] == "tickets.ticket_created"
    assert body["apiVersion"] == WEBHOOK_API_VERSION
    assert body["tenantId"] == str(tenant)
    shape = SHAPES["tickets.ticket_created"]
    assert data_keys(body["data"]) == expected_keys(shape)
    # the keys are fields of the tickets subgraph's TicketEvent / Ticket types
    schema = graphql_schema("tickets")
    assert set(body["data"]) <= set(schema.type_map["TicketEvent"].fields)
    assert set(body["data"]["ticket"]) <= set(schema.type_map["Ticket"].fields)
    assert body["data"] == {
        "type": "ticket_created",
        "ticketId": str(ticket_id),
        "ticket": {"id": str(ticket_id), "number": 42, "requester": {"id": str(requester)}},
    }
