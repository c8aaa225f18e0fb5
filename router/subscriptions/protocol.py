"""The graphql-transport-ws vocabulary: message types, close codes, frames, parsing.

The protocol is the one of the `graphql-ws` library (its PROTOCOL.md); the legacy
`subscriptions-transport-ws` protocol (subprotocol `graphql-ws`) is spoken only upstream, to
subgraphs configured for it (`router.subscriptions.upstream`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import orjson

from router.pipeline import GraphQLRequest

GRAPHQL_TRANSPORT_WS = "graphql-transport-ws"
GRAPHQL_WS = "graphql-ws"  # legacy subscriptions-transport-ws (upstream only)
UPSTREAM_PROTOCOLS = frozenset({GRAPHQL_TRANSPORT_WS, GRAPHQL_WS})

# extensions.code values written by the subscription layer
SUBSCRIPTION_UPSTREAM_FAILED = "SUBSCRIPTION_UPSTREAM_FAILED"
TOO_MANY_SUBSCRIPTIONS = "TOO_MANY_SUBSCRIPTIONS"


class CloseCode(IntEnum):
    """WebSocket close codes the router sends (4xxx from graphql-ws PROTOCOL.md)."""

    NORMAL = 1000
    SLOW_CONSUMER = 1013  # "try again later": the client does not read its events
    BAD_REQUEST = 4400  # invalid JSON, unknown message type, malformed payload
    UNAUTHORIZED = 4401  # subscribe before connection_ack
    FORBIDDEN = 4403  # connection_init refused by the authenticator
    SUBPROTOCOL_NOT_ACCEPTABLE = 4406
    INIT_TIMEOUT = 4408  # no connection_init in time
    SUBSCRIBER_ALREADY_EXISTS = 4409  # duplicate active operation id
    TOO_MANY_INIT_REQUESTS = 4429  # a second connection_init
    INTERNAL_ERROR = 4500


class ProtocolError(Exception):
    """A client message that ends the connection with `code`."""

    def __init__(self, code: CloseCode, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ClientMessage:
    type: str
    id: str | None = None
    payload: Any = None


CLIENT_TYPES = frozenset({"connection_init", "ping", "pong", "subscribe", "complete"})
_NEEDS_ID = frozenset({"subscribe", "complete"})


def parse_client_message(raw: str | bytes | None) -> ClientMessage:
    """One client frame; raises `ProtocolError(4400)` for anything the protocol forbids."""
    if raw is None:
        raise ProtocolError(CloseCode.BAD_REQUEST, "Empty message")
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ProtocolError(CloseCode.BAD_REQUEST, "Invalid message received") from exc
    if not isinstance(value, dict) or value.get("type") not in CLIENT_TYPES:
        raise ProtocolError(CloseCode.BAD_REQUEST, "Invalid message received")
    kind = value["type"]
    message_id = value.get("id")
    if kind in _NEEDS_ID and (not isinstance(message_id, str) or not message_id):
        raise ProtocolError(CloseCode.BAD_REQUEST, f"Invalid '{kind}' message: missing id")
    payload = value.get("payload")
    if kind == "connection_init" and payload is not None and not isinstance(payload, dict):
        raise ProtocolError(CloseCode.BAD_REQUEST, "connection_init payload must be an object")
    return ClientMessage(kind, message_id, payload)


def request_from_payload(payload: Any) -> GraphQLRequest:
    """The `subscribe` payload as a `GraphQLRequest`; raises `ProtocolError(4400)`. A payload
    naming a persisted query (`extensions.persistedQuery`) may leave `query` out: the edge
    policies supply the text, as over HTTP."""
    if not isinstance(payload, dict):
        raise ProtocolError(CloseCode.BAD_REQUEST, "Invalid 'subscribe' payload: no query")
    query = payload.get("query")
    name = payload.get("operationName")
    variables = payload.get("variables")
    extensions = payload.get("extensions")
    if query is None and isinstance(extensions, dict) and "persistedQuery" in extensions:
        query = ""
    if not isinstance(query, str):
        raise ProtocolError(CloseCode.BAD_REQUEST, "Invalid 'subscribe' payload: no query")
    if name is not None and not isinstance(name, str):
        raise ProtocolError(CloseCode.BAD_REQUEST, "Invalid 'subscribe' payload: operationName")
    if variables is not None and not isinstance(variables, dict):
        raise ProtocolError(CloseCode.BAD_REQUEST, "Invalid 'subscribe' payload: variables")
    if extensions is not None and not isinstance(extensions, dict):
        raise ProtocolError(CloseCode.BAD_REQUEST, "Invalid 'subscribe' payload: extensions")
    return GraphQLRequest(query, name, variables, extensions)


# ---- frames (text) -------------------------------------------------------------------------

ACK = '{"type":"connection_ack"}'
PING = '{"type":"ping"}'
PONG = '{"type":"pong"}'


def json_id(operation_id: str) -> str:
    """The id as a JSON string literal, computed once per operation."""
    return orjson.dumps(operation_id).decode()


def next_frame(quoted_id: str, payload: str) -> str:
    """`payload` is the serialized execution result, shared by every subscriber."""
    return '{"id":' + quoted_id + ',"type":"next","payload":' + payload + "}"


def error_frame(quoted_id: str, errors: list[dict[str, Any]]) -> str:
    return '{"id":' + quoted_id + ',"type":"error","payload":' + orjson.dumps(errors).decode() + "}"


def complete_frame(quoted_id: str) -> str:
    return '{"id":' + quoted_id + ',"type":"complete"}'


def error_result(message: str, code: str, **extensions: Any) -> dict[str, Any]:
    """An execution result carrying one error (data null)."""
    return {
        "data": None,
        "errors": [{"message": message, "extensions": {"code": code, **extensions}}],
    }
