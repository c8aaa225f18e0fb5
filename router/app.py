"""ASGI wiring: GraphQL over HTTP on /graphql, GraphiQL, /health and /ready.

`build_app(config)` is the public entry point (the `python -m router` command, `saas-platform
router` and the in-process `saas-platform dev` all use it). The /graphql endpoint is a plain
ASGI callable: the hot path reads the body, asks `Router.handle` and writes orjson bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send

from router import graphiql, multipart, passthrough
from router.config import RouterConfig
from router.observability import build_tracer, configure_json_logs
from router.observability.hook import MeteredClient, MetricsHook, RouterMetrics
from router.pipeline import (
    GraphQLRequest,
    Planner,
    QueryPlanHook,
    RequestContext,
    Router,
    RouterHook,
)
from router.policies import csrf, refusals
from router.policies.install import close_edge, install_edge
from router.subscriptions import (
    SubscriptionService,
    WebSocketEndpoint,
    serve_event_stream,
    wants_event_stream,
)
from router.transport import (
    DedupClient,
    HttpSubgraphClient,
    HttpTimeouts,
    PooledHttpClient,
    SubgraphClient,
)

logger = logging.getLogger("router")

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
MAX_BODY_BYTES = 4 * 1024 * 1024
_DEBUG_HEADER = "x-router-debug-plan"


class HttpError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        headers: Sequence[tuple[bytes, bytes]] = (),
        code: str | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = list(headers)
        self.code = code or refusals.HTTP_CODES.get(status, "BAD_REQUEST")


def negotiate(accept: str | None) -> str | None:
    """The response media type for an Accept header (None: nothing we can produce)."""
    if not accept:
        return JSON
    types = {part.split(";", 1)[0].strip().lower() for part in accept.split(",")}
    if GRAPHQL_RESPONSE in types:
        return GRAPHQL_RESPONSE
    if types & {JSON, "*/*", "application/*"}:
        return JSON
    return None


class GraphQLEndpoint:
    """POST (JSON body) and GET (query string, queries only) per GraphQL over HTTP."""

    def __init__(self, router: Router) -> None:
        self.router = router
        config = router.config
        self.propagate = frozenset(h.lower() for h in config.propagate_headers)
        self.debug_header = config.debug_plan_header
        self.graphiql = config.graphiql
        self.csrf = config.csrf
        self.max_body = config.max_body_bytes
        self.uploads = config.uploads  # multipart/form-data (file uploads, router/multipart.py)
        # refusals before the policy hook runs carry a request id too (router/policies)
        self.request_ids = config.policies_enabled and config.policies.headers.request_id
        self.subscriptions: SubscriptionService | None = None  # SSE, set by build_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers: dict[str, str] = {}
        for raw_name, raw_value in scope["headers"]:
            headers[raw_name.decode("latin-1")] = raw_value.decode("latin-1")
        method = scope["method"]
        if self.subscriptions is not None and wants_event_stream(headers.get("accept")):
            await serve_event_stream(self.subscriptions, scope, receive, send, headers)
            return
        media = negotiate(headers.get("accept"))
        if method == "POST" and multipart.is_multipart(headers):
            await multipart.serve_upload(self, scope, receive, send, headers, media)
            return
        try:
            if self.csrf and method in ("GET", "HEAD", "POST") and csrf.is_blocked(headers):
                raise HttpError(400, csrf.MESSAGE, code=csrf.CODE)
            if method == "POST":
                if _content_length(headers) > self.max_body:
                    raise HttpError(413, "Request body too large")
                body = await _read_body(receive, self.max_body)
                request = _post_request(headers, body)
            elif method in ("GET", "HEAD"):
                if self.graphiql and _wants_html(headers, scope):
                    await _send(send, 200, graphiql.page(), "text/html; charset=utf-8")
                    return
                request = _get_request(scope)
            else:
                raise HttpError(405, "Method not allowed", [(b"allow", b"GET, POST")])
            if media is None:
                raise HttpError(406, "Accept application/graphql-response+json or application/json")
        except HttpError as exc:
            body, named = refusals.http_refusal(
                exc.message, exc.code, headers if self.request_ids else None
            )
            await _send(send, exc.status, body, media or JSON, [*exc.headers, *named])
            return
        context = RequestContext(
            headers=tuple(sorted((k, v) for k, v in headers.items() if k in self.propagate)),
            method="GET" if method == "HEAD" else method,
            debug_plan=self.debug_header and headers.get(_DEBUG_HEADER) in ("1", "true"),
            request_headers=headers,
            client=(scope.get("client") or (None,))[0],
        )
        error, response = await self.router.handle(request, context)
        status = 200
        extra: list[tuple[bytes, bytes]] = context.response_headers
        if error is not None:
            status = error.status if media == GRAPHQL_RESPONSE else error.legacy_status
            if status == 405:
                extra.append((b"allow", b"POST"))
        await _send(send, status, orjson.dumps(response), media, extra)


def _content_length(headers: dict[str, str]) -> int:
    try:
        return int(headers.get("content-length") or 0)
    except ValueError as exc:
        raise HttpError(400, "Invalid Content-Length") from exc


def _wants_html(headers: dict[str, str], scope: Scope) -> bool:
    accept = headers.get("accept", "")
    return "text/html" in accept and b"query=" not in scope.get("query_string", b"")


async def _read_body(receive: Receive, limit: int = MAX_BODY_BYTES) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        if chunk:
            size += len(chunk)
            if size > limit:
                raise HttpError(413, "Request body too large")
            chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _post_request(headers: dict[str, str], body: bytes) -> GraphQLRequest:
    content_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type != JSON:
        raise HttpError(415, "POST requests must have Content-Type: application/json")
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise HttpError(400, "Request body is not valid JSON") from exc
    if not isinstance(payload, dict):
        raise HttpError(400, "Request body must be a JSON object")
    return _request_from(payload)


def _get_request(scope: Scope) -> GraphQLRequest:
    params = dict(parse_qsl(scope.get("query_string", b"").decode("utf-8", "replace")))
    payload: dict[str, Any] = {
        "query": params.get("query"),
        "operationName": params.get("operationName") or None,
    }
    for name in ("variables", "extensions"):
        if params.get(name):
            try:
                payload[name] = orjson.loads(params[name])
            except orjson.JSONDecodeError as exc:
                raise HttpError(400, f"'{name}' is not valid JSON") from exc
    return _request_from(payload)


def _request_from(payload: dict[str, Any]) -> GraphQLRequest:
    query = payload.get("query")
    extensions = payload.get("extensions")
    if query is None and isinstance(extensions, dict) and "persistedQuery" in extensions:
        query = ""  # a persisted query id: router.policies supplies the text
    if not isinstance(query, str):
        raise HttpError(400, "'query' must be a string")
    operation_name = payload.get("operationName")
    variables = payload.get("variables")
    extensions = payload.get("extensions")
    if operation_name is not None and not isinstance(operation_name, str):
        raise HttpError(400, "'operationName' must be a string")
    if variables is not None and not isinstance(variables, dict):
        raise HttpError(400, "'variables' must be an object")
    if extensions is not None and not isinstance(extensions, dict):
        raise HttpError(400, "'extensions' must be an object")
    return GraphQLRequest(query, operation_name, variables, extensions)


async def _send(
    send: Send,
    status: int,
    body: bytes,
    media: str,
    extra: Sequence[tuple[bytes, bytes]] = (),
) -> None:
    content_type = media if media.startswith("text/") else f"{media}; charset=utf-8"
    headers = [
        (b"content-type", content_type.encode()),
        (b"content-length", str(len(body)).encode()),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


# ---- other routes --------------------------------------------------------------------------


async def health(_: Request) -> Response:
    return JSONResponse({"status": "UP"})


async def ready(request: Request) -> Response:
    """200 once a supergraph is loaded; with `?check=subgraphs`, also every subgraph must
    accept a TCP connection within a second."""
    router: Router = request.app.state.router
    state = router.state
    if state is None:
        return JSONResponse({"status": "DOWN", "reason": "supergraph not loaded"}, 503)
    if request.query_params.get("check") != "subgraphs":
        return JSONResponse({"status": "UP", "subgraphs": sorted(state.subgraph_urls)})
    names = sorted(state.subgraph_urls)
    results = await asyncio.gather(*(_reachable(state.subgraph_urls[n]) for n in names))
    reachable = dict(zip(names, results, strict=True))
    status = "UP" if all(results) else "DOWN"
    return JSONResponse({"status": status, "subgraphs": reachable}, 200 if all(results) else 503)


async def _reachable(url: str) -> bool:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        async with asyncio.timeout(1.0):
            _, writer = await asyncio.open_connection(parts.hostname, port)
    except (OSError, TimeoutError):
        return False
    writer.close()
    return True


async def metrics_endpoint(request: Request) -> Response:
    """Prometheus text exposition of `RouterMetrics` (router/observability)."""
    metrics: RouterMetrics = request.app.state.metrics
    return Response(metrics.render(), media_type="text/plain; version=0.0.4")


async def graphiql_asset(request: Request) -> Response:
    gzipped = "gzip" in request.headers.get("accept-encoding", "")
    found = graphiql.asset(request.path_params["name"], gzipped)
    if found is None:
        return Response(status_code=404)
    body, content_type = found
    headers = {"cache-control": "public, max-age=86400", "vary": "accept-encoding"}
    if gzipped:
        headers["content-encoding"] = "gzip"
    return Response(body, media_type=content_type, headers=headers)


# ---- the app -------------------------------------------------------------------------------


class RouterApp(Starlette):
    """Starlette, with POST/GET /graphql dispatched straight to the endpoint while no
    Starlette middleware is installed (routing and the default middleware stack cost ~5% of
    a request's CPU). Pure ASGI middleware wrapping this app is unaffected."""

    def __init__(self, endpoint: GraphQLEndpoint, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.graphql_endpoint = endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/graphql" and not self.user_middleware:
            scope["app"] = self
            await self.graphql_endpoint(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def build_subgraph_client(config: RouterConfig) -> SubgraphClient:
    timeouts = HttpTimeouts(connect=config.connect_timeout, read=config.request_timeout)
    client: SubgraphClient
    if config.subgraph_client == "httpx":
        client = HttpSubgraphClient(timeouts, max_connections=config.max_connections)
    else:
        client = PooledHttpClient(timeouts, max_connections=config.max_connections)
    return DedupClient(client) if config.dedup else client


def build_router(
    config: RouterConfig,
    *,
    client: SubgraphClient | None = None,
    hooks: Sequence[RouterHook] = (),
    supergraph_sdl: str | None = None,
    planner: Planner | None = None,
) -> Router:
    """A `Router` with the supergraph loaded from `supergraph_sdl` or `config.supergraph`."""
    all_hooks = [*hooks, QueryPlanHook(always=config.expose_plan)]
    client = client or build_subgraph_client(config)
    metrics = RouterMetrics() if config.metrics else None
    tracer = build_tracer(config.otlp_endpoint, config.otlp_service_name, config.otlp_headers)
    if metrics is not None or tracer is not None:  # fetch latency; a span per fetch with OTLP
        client = MeteredClient(client, metrics)
    router = Router(config, client, all_hooks, planner=planner)
    install_edge(router, config, metrics, tracer)
    if supergraph_sdl is not None:
        router.load(supergraph_sdl)
    elif config.supergraph is not None:
        router.load_file(config.supergraph)
    return router


def build_app(
    config: RouterConfig,
    *,
    client: SubgraphClient | None = None,
    hooks: Sequence[RouterHook] = (),
    supergraph_sdl: str | None = None,
    planner: Planner | None = None,
) -> Starlette:
    """The router as a Starlette app. Raises `SupergraphError` for an unusable supergraph.
    The file in `config.supergraph` is watched for changes while the app runs (lifespan)."""
    router = build_router(
        config, client=client, hooks=hooks, supergraph_sdl=supergraph_sdl, planner=planner
    )

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        stop = asyncio.Event()
        watcher = None
        if config.hot_reload and config.supergraph is not None and supergraph_sdl is None:
            watcher = asyncio.create_task(router.watch(config.supergraph, stop))
        try:
            yield
        finally:
            stop.set()
            if watcher is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(watcher, 5)
            if subscriptions is not None:
                await subscriptions.aclose()
            await router.client.aclose()
            await close_edge(router)
            if passthrough_client is not None:
                await passthrough_client.aclose()

    endpoint = GraphQLEndpoint(router)
    # GET <prefix>... streamed from a subgraph, e.g. /files/<token> (router/passthrough.py)
    extra_routes, passthrough_client = passthrough.passthrough_routes(
        router, config.passthrough_routes, config.max_connections
    )
    subscriptions = SubscriptionService(router) if config.subscriptions_enabled else None
    endpoint.subscriptions = subscriptions
    ws_routes = []
    if subscriptions is not None:
        ws_routes.append(WebSocketRoute("/graphql", WebSocketEndpoint(subscriptions)))
    app = RouterApp(
        endpoint,
        routes=[
            Route("/graphql", endpoint, methods=None),
            *ws_routes,
            Route("/health", health),
            Route("/ready", ready),
            Route(graphiql.ASSET_PREFIX + "/{name}", graphiql_asset),
            *extra_routes,
        ],
        lifespan=lifespan,
    )
    app.state.router = router
    app.state.passthrough_client = passthrough_client  # closed by the lifespan
    app.state.metrics = next((h.metrics for h in router.hooks if isinstance(h, MetricsHook)), None)
    if app.state.metrics is not None:
        app.router.routes.append(Route("/metrics", metrics_endpoint))
    if config.log_format == "json":
        configure_json_logs(config.log_level)
    app.state.subscriptions = subscriptions
    if app.state.metrics is not None and subscriptions is not None:
        hub = subscriptions.hub
        app.state.metrics.active_subscriptions.set_function(lambda: float(hub.subscriber_count))
        subscriptions.observer = app.state.metrics  # events delivered, upstream failures
    return app


__all__ = ["GraphQLEndpoint", "build_app", "build_router", "build_subgraph_client", "negotiate"]
