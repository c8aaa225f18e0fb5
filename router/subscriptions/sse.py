"""GraphQL over Server-Sent Events, "distinct connections" mode: one operation per request.

`POST /graphql` (JSON body) or `GET /graphql?query=...` with `Accept: text/event-stream`
answers `text/event-stream` with `event: next` messages (one execution result each) and a
final `event: complete`. The request's own headers authenticate it (the same authenticator as
`connection_init`, with an empty payload). A client that stops reading is dropped once its
queue is full, like a WebSocket client.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any
from urllib.parse import parse_qsl

import orjson
from starlette.types import Receive, Scope, Send

from router.pipeline import GraphQLRequest
from router.policies import csrf, refusals
from router.subscriptions.auth import ConnectionRejected
from router.subscriptions.protocol import CloseCode, ProtocolError, request_from_payload
from router.subscriptions.service import (
    Joined,
    Rejected,
    SubscriptionService,
    operation_context,
)

EVENT_STREAM = "text/event-stream"
_COMPLETE = "event: complete\ndata:\n\n"
_END = ""  # queue marker: the response is finished


def wants_event_stream(accept: str | None) -> bool:
    return accept is not None and EVENT_STREAM in accept.lower()


class EventStreamSink:
    """The `Sink` of one SSE response: frames go to a bounded queue."""

    def __init__(self, size: int) -> None:
        self.queue: asyncio.Queue[str] = asyncio.Queue(size)
        self.dropped = False

    def deliver(self, payload: str) -> None:
        self._put("event: next\ndata: " + payload + "\n\n")

    def complete(self) -> None:
        self._put(_COMPLETE)
        self._put(_END)

    def _put(self, frame: str) -> None:
        if self.dropped:
            return
        try:
            self.queue.put_nowait(frame)
        except asyncio.QueueFull:
            self.dropped = True  # the client is not reading: end its response
            with contextlib.suppress(asyncio.QueueEmpty):
                self.queue.get_nowait()
            self.queue.put_nowait(_END)


async def serve_event_stream(
    service: SubscriptionService,
    scope: Scope,
    receive: Receive,
    send: Send,
    headers: dict[str, str],
) -> None:
    config = service.router.config
    # refusals name the request like GraphQL over HTTP's (router.policies.refusals)
    named = headers if config.policies_enabled and config.policies.headers.request_id else None
    if config.csrf and csrf.is_blocked(headers):  # the same rule as GraphQL over HTTP
        await _plain(send, 400, csrf.MESSAGE, csrf.CODE, named)
        return
    try:
        request = await _read_request(scope, receive, config.max_body_bytes)
        base = await service.authenticator({}, headers)
    except ProtocolError as exc:
        await _plain(send, 400, exc.reason, "BAD_REQUEST", named)
        return
    except ConnectionRejected as exc:
        code = "UNAUTHENTICATED" if exc.status == 401 else "FORBIDDEN"
        await _plain(send, exc.status, exc.reason, code, named)
        return
    context = operation_context(base, scope["method"])
    context.client = (scope.get("client") or (None,))[0]  # per-IP rate limits
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"text/event-stream; charset=utf-8"),
                (b"cache-control", b"no-cache"),
                (b"x-accel-buffering", b"no"),
            ],
        }
    )
    sink = EventStreamSink(config.ws_queue_size)
    started = await service.start(request, context, sink)
    match started:
        case Rejected(errors=errors):
            sink.deliver(orjson.dumps({"errors": errors}).decode())
            sink.complete()
        case Joined():
            pass
        case _:
            sink.deliver(orjson.dumps(started.result).decode())
            sink.complete()
    disconnected = asyncio.create_task(_wait_disconnect(receive))
    try:
        await _pump(sink, send, disconnected, config.ws_keepalive)
    finally:
        disconnected.cancel()
        if isinstance(started, Joined):
            started.stop()


async def _pump(
    sink: EventStreamSink, send: Send, disconnected: asyncio.Task[None], keepalive: float
) -> None:
    while True:
        getter = asyncio.ensure_future(sink.queue.get())
        done, _ = await asyncio.wait(
            [getter, disconnected],
            timeout=keepalive if keepalive > 0 else None,
            return_when=asyncio.FIRST_COMPLETED,
        )
        if disconnected in done:
            getter.cancel()
            return
        if getter not in done:
            getter.cancel()
            frame = ":\n\n"  # a comment keeps proxies from closing an idle stream
        else:
            frame = getter.result()
        if frame == _END:
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        await send({"type": "http.response.body", "body": frame.encode(), "more_body": True})


async def _wait_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _read_request(scope: Scope, receive: Receive, max_body: int) -> GraphQLRequest:
    if scope["method"] == "POST":
        if _content_type(scope) != "application/json":  # never a CORS "simple" request
            raise ProtocolError(CloseCode.BAD_REQUEST, "Content-Type must be application/json")
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > max_body:
                raise ProtocolError(CloseCode.BAD_REQUEST, "Request body too large")
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        try:
            payload: Any = orjson.loads(b"".join(chunks))
        except orjson.JSONDecodeError as exc:
            raise ProtocolError(CloseCode.BAD_REQUEST, "Request body is not valid JSON") from exc
        return request_from_payload(payload)
    params = dict(parse_qsl(scope.get("query_string", b"").decode("utf-8", "replace")))
    query: dict[str, Any] = {
        "query": params.get("query"),
        "operationName": params.get("operationName"),
    }
    for name in ("variables", "extensions"):
        if params.get(name):
            try:
                query[name] = orjson.loads(params[name])
            except orjson.JSONDecodeError as exc:
                raise ProtocolError(CloseCode.BAD_REQUEST, f"'{name}' is not valid JSON") from exc
    return request_from_payload(query)


def _content_type(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"content-type":
            text: str = value.decode("latin-1")
            return text.split(";", 1)[0].strip().lower()
    return ""


async def _plain(
    send: Send, status: int, message: str, code: str, incoming: dict[str, str] | None
) -> None:
    body, named = refusals.http_refusal(message, code, incoming)
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *named,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
