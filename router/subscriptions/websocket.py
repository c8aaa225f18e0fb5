"""graphql-transport-ws on `/graphql`: one `ClientConnection` per socket (raw ASGI).

Reading, writing and timers are separate tasks. Everything the server sends goes through one
bounded queue drained by the writer task, so a shared stream hands events to every client
without waiting on any of them; a client whose queue is full is closed with 1013 (it stopped
reading) and the others are unaffected.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

import orjson
from starlette.types import Receive, Scope, Send

from router.pipeline import GraphQLRequest, RequestContext
from router.subscriptions.auth import ConnectionRejected
from router.subscriptions.protocol import (
    ACK,
    GRAPHQL_TRANSPORT_WS,
    PING,
    PONG,
    TOO_MANY_SUBSCRIPTIONS,
    ClientMessage,
    CloseCode,
    ProtocolError,
    complete_frame,
    error_frame,
    json_id,
    next_frame,
    parse_client_message,
    request_from_payload,
)
from router.subscriptions.service import (
    Joined,
    Rejected,
    SubscriptionService,
    operation_context,
)

logger = logging.getLogger("router.subscriptions")

CLOSE_WAIT = 5.0  # seconds a close frame may take to leave before the socket is dropped
_CLOSE = "\0close"  # queue marker: send the close frame after what is queued


class WebSocketEndpoint:
    """The ASGI app mounted as the WebSocket route of `/graphql`."""

    def __init__(self, service: SubscriptionService) -> None:
        self.service = service
        config = service.router.config
        self.allowed_origins = frozenset(o.rstrip("/").lower() for o in config.ws_allowed_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        message = await receive()
        if message["type"] != "websocket.connect":
            return
        origin = headers.get("origin")
        if (
            self.allowed_origins
            and origin
            and origin.rstrip("/").lower() not in self.allowed_origins
        ):
            await send({"type": "websocket.close", "code": 1008})  # before accept: HTTP 403
            return
        offered = scope.get("subprotocols") or ()
        if GRAPHQL_TRANSPORT_WS not in offered:
            await send({"type": "websocket.accept"})
            reason = "Subprotocol not acceptable"
            code = CloseCode.SUBPROTOCOL_NOT_ACCEPTABLE
            await send({"type": "websocket.close", "code": code, "reason": reason})
            return
        await send({"type": "websocket.accept", "subprotocol": GRAPHQL_TRANSPORT_WS})
        connection = ClientConnection(self.service, headers, receive, send)
        connection.client = (scope.get("client") or (None,))[0]  # per-IP rate limits
        self.service.connections += 1
        try:
            await connection.serve()
        finally:
            self.service.connections -= 1


class ClientConnection:
    def __init__(
        self,
        service: SubscriptionService,
        headers: dict[str, str],
        receive: Receive,
        send: Send,
    ) -> None:
        config = service.router.config
        self.service = service
        self.headers = headers
        self.client: str | None = None  # the peer's address
        self.receive = receive
        self.send = send
        self.queue: asyncio.Queue[str] = asyncio.Queue(config.ws_queue_size)
        self.init_timeout = config.ws_init_timeout
        self.keepalive = config.ws_keepalive
        self.max_operations = config.ws_max_subscriptions
        self.init_received = False
        self.context: RequestContext | None = None
        self.operations: dict[str, Operation] = {}
        self.closed = False
        self.tasks: list[asyncio.Task[None]] = []
        self.reader: asyncio.Task[None] | None = None
        self.writer: asyncio.Task[None] | None = None
        self.close_code: int | None = None
        self.close_reason = ""

    async def serve(self) -> None:
        self.writer = asyncio.create_task(self._write())
        self.tasks = [asyncio.create_task(self._init_timer())]
        self.reader = asyncio.create_task(self._read())
        try:
            await asyncio.wait([self.reader])
            if self.close_code is not None and self.writer is not None:  # let the close go out
                await asyncio.wait([self.writer], timeout=CLOSE_WAIT)
        finally:
            self.closed = True
            for operation in list(self.operations.values()):
                operation.stop()
            self.operations.clear()
            for task in (*self.tasks, self.reader, self.writer):
                if task is not None:
                    task.cancel()

    # ---- sending -----------------------------------------------------------------------

    def enqueue(self, frame: str) -> None:
        """Queue a frame; a full queue means the client stopped reading: drop it."""
        if self.closed:
            return
        try:
            self.queue.put_nowait(frame)
        except asyncio.QueueFull:
            logger.warning("closing a WebSocket client that does not read its events")
            self.service.dropped_clients += 1
            self.close_soon(CloseCode.SLOW_CONSUMER, "Send queue full", flush=False)

    async def _write(self) -> None:
        try:
            while True:
                frame = await self.queue.get()
                if frame is _CLOSE:
                    break
                await self.send({"type": "websocket.send", "text": frame})
        except Exception:  # the client is gone (uvicorn raises on a closed socket)
            self.closed = True
            if self.reader is not None:
                self.reader.cancel()
            return
        await self._send_close()

    def close_soon(self, code: int, reason: str, flush: bool = True) -> None:
        """Close after the frames already queued (`flush`), or now (a stalled client)."""
        if self.close_code is not None:
            return
        self.closed = True
        self.close_code, self.close_reason = code, reason
        if flush:
            try:
                self.queue.put_nowait(_CLOSE)
                return
            except asyncio.QueueFull:
                pass
        if self.writer is not None:
            self.writer.cancel()
        if self.reader is not None:
            self.reader.cancel()  # nothing the client sends matters any more
        self.writer = asyncio.create_task(self._send_close())

    async def _send_close(self) -> None:
        with contextlib.suppress(Exception):
            # a close reason is at most 123 bytes (RFC 6455)
            reason = self.close_reason.encode()[:123].decode(errors="ignore")
            message = {"type": "websocket.close", "code": self.close_code, "reason": reason}
            await self.send(message)
        if self.reader is not None:
            self.reader.cancel()

    # ---- timers ------------------------------------------------------------------------

    async def _init_timer(self) -> None:
        await asyncio.sleep(self.init_timeout)
        if not self.init_received:
            self.close_soon(CloseCode.INIT_TIMEOUT, "Connection initialisation timeout")

    async def _keepalive(self) -> None:
        while self.keepalive > 0:
            await asyncio.sleep(self.keepalive)
            self.enqueue(PING)

    # ---- receiving ---------------------------------------------------------------------

    async def _read(self) -> None:
        while self.close_code is None:
            message = await self.receive()
            if message["type"] != "websocket.receive":
                return  # websocket.disconnect
            try:
                parsed = parse_client_message(message.get("text") or message.get("bytes"))
                await self._dispatch(parsed)
            except ProtocolError as exc:
                self.close_soon(exc.code, exc.reason)
                return

    async def _dispatch(self, message: ClientMessage) -> None:
        match message.type:
            case "connection_init":
                await self._init(message.payload or {})
            case "ping":
                self.enqueue(PONG)
            case "pong":
                pass
            case "subscribe":
                self._subscribe(message)
            case "complete":
                operation = self.operations.pop(message.id or "", None)
                if operation is not None:
                    operation.stop()

    async def _init(self, payload: dict[str, Any]) -> None:
        if self.init_received:
            raise ProtocolError(
                CloseCode.TOO_MANY_INIT_REQUESTS, "Too many initialisation requests"
            )
        self.init_received = True
        try:
            context = await self.service.authenticator(payload, self.headers)
            context.client = self.client
            expires = await self.service.check_connection(context)
        except ConnectionRejected as exc:
            raise ProtocolError(CloseCode.FORBIDDEN, exc.reason) from exc
        self.context = context
        self.enqueue(ACK)
        self.tasks.append(asyncio.create_task(self._keepalive()))
        if expires is not None:
            self.tasks.append(asyncio.create_task(self._expire(expires)))

    async def _expire(self, expires: float) -> None:
        """The token the connection was opened with expires: close 4403 (the client logs in
        again and reconnects)."""
        await asyncio.sleep(max(0.0, expires - time.time()))
        self.close_soon(CloseCode.FORBIDDEN, "Token expired")

    def _subscribe(self, message: ClientMessage) -> None:
        operation_id = message.id or ""
        if self.context is None:
            raise ProtocolError(CloseCode.UNAUTHORIZED, "Unauthorized")
        if operation_id in self.operations:
            raise ProtocolError(
                CloseCode.SUBSCRIBER_ALREADY_EXISTS, f"Subscriber for {operation_id} already exists"
            )
        request = request_from_payload(message.payload)
        quoted = json_id(operation_id)
        if len(self.operations) >= self.max_operations:
            error = {
                "message": f"At most {self.max_operations} operations per connection.",
                "extensions": {"code": TOO_MANY_SUBSCRIPTIONS},
            }
            self.enqueue(error_frame(quoted, [error]))
            return
        operation = Operation(self, operation_id, quoted)
        self.operations[operation_id] = operation
        context = operation_context(self.context, "WEBSOCKET")
        operation.task = asyncio.create_task(operation.run(request, context))


class Operation:
    """One client operation id; the `Sink` of its shared stream."""

    def __init__(self, connection: ClientConnection, operation_id: str, quoted: str) -> None:
        self.connection = connection
        self.id = operation_id
        self.quoted = quoted
        self.task: asyncio.Task[None] | None = None
        self.joined: Joined | None = None
        self.done = False

    async def run(self, request: GraphQLRequest, context: RequestContext) -> None:
        try:
            started = await self.connection.service.start(request, context, self)
        except Exception:
            logger.exception("operation failed to start")
            self.connection.close_soon(CloseCode.INTERNAL_ERROR, "Internal server error")
            return
        if self.done:  # the client completed it, or left, while it was starting
            if isinstance(started, Joined):
                started.stop()
            return
        match started:
            case Joined():
                self.joined = started
            case Rejected(errors=errors):
                self._forget()
                self.connection.enqueue(error_frame(self.quoted, errors))
            case _:
                self.deliver_result(started.result)
                self.complete()

    def deliver_result(self, result: dict[str, Any]) -> None:
        self.deliver(orjson.dumps(result).decode())

    # Sink
    def deliver(self, payload: str) -> None:
        if not self.done:
            self.connection.enqueue(next_frame(self.quoted, payload))

    def complete(self) -> None:
        if not self.done:
            self._forget()
            self.connection.enqueue(complete_frame(self.quoted))

    def stop(self) -> None:
        """The client completed the operation or left: no more messages."""
        self.done = True
        if self.joined is not None:
            self.joined.stop()
            self.joined = None
        elif self.task is not None and not self.task.done():
            self.task.cancel()

    def _forget(self) -> None:
        self.done = True
        self.joined = None
        if self.connection.operations.get(self.id) is self:
            del self.connection.operations[self.id]
