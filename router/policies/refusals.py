"""Refusals carry the request id: `x-request-id` on the response and `extensions.requestId` on
each request error, whether the HTTP layer refused (body too large, bad content type, CSRF,
bad JSON, ...) or a policy or pipeline stage did (401, 429, 405 GET mutation, ...).

`extensions.requestId` is the name the subgraph kit uses for masked errors too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from router.policies.headers import request_id

# `extensions.code` of refusals made before a GraphQL request exists
HTTP_CODES = {
    400: "BAD_REQUEST",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
}


def http_refusal(
    message: str, code: str, incoming: Mapping[str, str] | None
) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    """(JSON body, extra headers) of an HTTP-layer refusal; `incoming` None: no request id."""
    extensions: dict[str, Any] = {"code": code}
    headers: list[tuple[bytes, bytes]] = []
    if incoming is not None:
        rid = request_id(incoming)
        extensions["requestId"] = rid
        headers.append((b"x-request-id", rid.encode()))
    body = orjson.dumps({"errors": [{"message": message, "extensions": extensions}]})
    return body, headers


def with_request_id(errors: list[dict[str, Any]], rid: str) -> list[dict[str, Any]]:
    """Copies of `errors` (possibly a cached, shared list) with `extensions.requestId`."""
    return [
        {**error, "extensions": {**(error.get("extensions") or {}), "requestId": rid}}
        for error in errors
    ]
