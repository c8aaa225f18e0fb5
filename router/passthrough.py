"""Passthrough routes: `GET <path_prefix>...` on the router streamed from one subgraph.

Browsers then use a single origin for the API and for what a subgraph serves over plain HTTP,
e.g. signed file downloads: `GET http://localhost:8000/files/<token>` is answered by
`GET <files subgraph>/files/<token>` (the path is resolved against the subgraph's URL from the
supergraph, so `subgraph_urls` overrides apply).

Only GET and HEAD; no request body; the path after the prefix must be plain segments
(letters, digits, `._~-`; no `.`/`..`, no percent-encoding, no empty segments) or it answers 400
`INVALID_PATH` without reaching the subgraph. Request headers sent: `accept`, conditional and
range headers, `x-request-id`, plus the route's `forward_headers` (none by default: no
credentials). Response headers kept: an allow-list of entity, cache and security headers, so
hop-by-hop headers (`connection`, `transfer-encoding`, ...) and cookies never pass. The subgraph
gets `connect_timeout` to accept and `timeout` to start answering and between chunks; failures
answer 502 `SUBGRAPH_UNAVAILABLE` / 504 `SUBGRAPH_TIMEOUT`.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterable, Sequence
from urllib.parse import urljoin

import httpx
import orjson
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from router.pipeline import Router
from router.routes_config import PassthroughRoute

__all__ = ["PassthroughEndpoint", "passthrough_routes"]

logger = logging.getLogger("router.passthrough")

_SEGMENTS = re.compile(r"^[A-Za-z0-9._~-]+(?:/[A-Za-z0-9._~-]+)*$")
_REQUEST_HEADERS = frozenset(
    {"accept", "range", "if-none-match", "if-modified-since", "if-range", "x-request-id"}
)
_RESPONSE_HEADERS = frozenset(
    {
        "content-type",
        "content-length",
        "content-disposition",
        "content-encoding",
        "content-language",
        "content-range",
        "accept-ranges",
        "cache-control",
        "expires",
        "pragma",
        "etag",
        "last-modified",
        "vary",
        "retry-after",
        "x-content-type-options",
        "content-security-policy",
        "x-frame-options",
        "referrer-policy",
        "cross-origin-resource-policy",
        "x-request-id",
    }
)


class PassthroughEndpoint:
    """ASGI app of one route; the `httpx` client is shared by every route of the router."""

    def __init__(self, router: Router, route: PassthroughRoute, client: httpx.AsyncClient):
        self.router = router
        self.route = route
        self.client = client
        self.forward = _REQUEST_HEADERS | set(route.forward_headers)
        self.timeout = httpx.Timeout(
            route.timeout, connect=route.connect_timeout, pool=route.connect_timeout
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope["method"]
        if method not in ("GET", "HEAD"):
            await _refuse(send, 405, "METHOD_NOT_ALLOWED", "Only GET and HEAD are allowed.")
            return
        url = self._upstream_url(scope)
        if url is None:
            await _refuse(send, 400, "INVALID_PATH", "This path is not valid.")
            return
        if url == "":
            await _refuse(send, 503, "SUBGRAPH_UNAVAILABLE", "The service is not available.")
            return
        headers = [
            (name.decode("latin-1"), value.decode("latin-1"))
            for name, value in scope["headers"]
            if name.decode("latin-1").lower() in self.forward
        ]
        request = self.client.build_request(method, url, headers=headers, timeout=self.timeout)
        try:
            response = await self.client.send(request, stream=True)
        except httpx.TimeoutException:
            await _refuse(send, 504, "SUBGRAPH_TIMEOUT", "The service did not answer in time.")
            return
        except httpx.HTTPError as exc:
            logger.warning("passthrough %s: %s", self.route.subgraph, exc)
            await _refuse(send, 502, "SUBGRAPH_UNAVAILABLE", "The service is not available.")
            return
        disconnected = asyncio.Event()
        watcher = asyncio.create_task(_watch(receive, disconnected))
        try:
            await self._relay(response, method, send, disconnected)
        finally:
            watcher.cancel()
            await response.aclose()

    def _upstream_url(self, scope: Scope) -> str | None:
        """The subgraph URL for this request; None for a refused path, "" without a subgraph."""
        raw = scope.get("raw_path") or scope["path"].encode()
        path = raw.decode("latin-1")
        prefix = self.route.path_prefix
        rest = path[len(prefix) :] if path.startswith(prefix) else ""
        if not _SEGMENTS.match(rest) or any(s in {".", ".."} for s in rest.split("/")):
            return None
        state = self.router.state
        base = state.subgraph_urls.get(self.route.subgraph) if state is not None else None
        if not base:
            return ""
        url = urljoin(base, prefix.lstrip("/") + rest)
        query = scope.get("query_string", b"")
        return f"{url}?{query.decode('latin-1')}" if query else url

    async def _relay(
        self, response: httpx.Response, method: str, send: Send, gone: asyncio.Event
    ) -> None:
        headers = list(_kept(response.headers.multi_items()))
        if not any(name == b"x-content-type-options" for name, _ in headers):
            headers.append((b"x-content-type-options", b"nosniff"))
        await send(
            {"type": "http.response.start", "status": response.status_code, "headers": headers}
        )
        if method == "HEAD":
            await send({"type": "http.response.body", "body": b""})
            return
        try:
            async for chunk in response.aiter_raw():
                if gone.is_set():  # the client left: stop reading from the subgraph
                    return
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except httpx.HTTPError as exc:  # headers are sent: end the connection, short
            logger.warning("passthrough %s: stream broke: %s", self.route.subgraph, exc)
            return
        await send({"type": "http.response.body", "body": b""})


async def _watch(receive: Receive, gone: asyncio.Event) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
    gone.set()


def _kept(items: Iterable[tuple[str, str]]) -> Iterable[tuple[bytes, bytes]]:
    for name, value in items:
        lowered = name.lower()
        if lowered in _RESPONSE_HEADERS:
            yield lowered.encode("latin-1"), value.encode("latin-1")


async def _refuse(send: Send, status: int, code: str, message: str) -> None:
    body = orjson.dumps({"error": {"code": code, "message": message}})
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
        (b"x-content-type-options", b"nosniff"),
    ]
    if status == 405:
        headers.append((b"allow", b"GET, HEAD"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def passthrough_routes(
    router: Router, routes: Sequence[PassthroughRoute], max_connections: int
) -> tuple[list[Route], httpx.AsyncClient | None]:
    """Starlette routes for `routes` and the client they share (None without routes)."""
    if not routes:
        return [], None
    limits = httpx.Limits(max_connections=max_connections)
    client = httpx.AsyncClient(limits=limits, trust_env=False, follow_redirects=False)
    built = [
        Route(route.path_prefix + "{rest:path}", PassthroughEndpoint(router, route, client))
        for route in routes
    ]
    return built, client
