"""`build_subgraph_app`: a Starlette app serving `/graphql`, `/health` and `/ready`."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from contextvars import ContextVar
from typing import Any, Generic, TypeVar

import strawberry
from starlette.applications import Starlette
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.extensions import SchemaExtension

from subgraphs.kit.auth.authenticator import authenticator_from_env
from subgraphs.kit.auth.principal import Principal
from subgraphs.kit.context import SubgraphContext, TenantScope, resolve_request
from subgraphs.kit.errors import DomainError
from subgraphs.kit.loaders import LoaderRegistry
from subgraphs.kit.runtime import ReadinessCheck, Runtime
from subgraphs.kit.sessions import RequestSessions, SessionOpener

D = TypeVar("D")
READY_TIMEOUT = 2.0
request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
logger = logging.getLogger("subgraphs.app")

__all__ = ["RequestSessionsExtension", "build_subgraph_app", "request_id_var"]


class RequestSessionsExtension(SchemaExtension):
    """Commits the request's write session when the operation succeeded, else rolls back."""

    async def on_operation(self) -> AsyncIterator[None]:
        yield
        sessions = getattr(self.execution_context.context, "sessions", None)
        if isinstance(sessions, RequestSessions):
            result = self.execution_context.result
            ok = result is not None and not getattr(result, "errors", None)
            await sessions.close(commit=ok)


class RequestIdMiddleware:
    """Pure ASGI middleware: a request id in a ContextVar (log context only)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        raw = headers.get(b"x-request-id", b"").decode("latin-1")
        token = request_id_var.set(raw or uuid.uuid4().hex)
        try:
            await self.app(scope, receive, send)
        finally:
            request_id_var.reset(token)


class _SubgraphGraphQL(GraphQL[SubgraphContext[D], None], Generic[D]):
    def __init__(
        self,
        schema: strawberry.federation.Schema,
        runtime: Runtime,
        deps: D,
        tenant_bound: bool,
        multipart_uploads: bool = False,
    ) -> None:
        super().__init__(schema, multipart_uploads_enabled=multipart_uploads)
        self.runtime = runtime
        self.deps = deps
        self.tenant_bound = tenant_bound

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> SubgraphContext[D]:
        scope: TenantScope | None = None
        scope_error: DomainError | None = None
        principal: Principal | None = None
        target: TenantScope | None = None
        try:
            resolved = await resolve_request(request, self.runtime.scopes)
            scope, principal, target = resolved.scope, resolved.principal, resolved.target
        except DomainError as error:
            scope_error = error
        sessions = RequestSessions(self._opener(scope))
        return SubgraphContext(
            request=request,
            request_id=request_id_var.get(),
            scope=scope,
            sessions=sessions,
            loaders=LoaderRegistry(sessions),
            deps=self.deps,
            scope_error=scope_error,
            principal=principal,
            target=target,
            authenticated=self.runtime.scopes.authenticator is not None,
        )

    def _opener(self, scope: TenantScope | None) -> SessionOpener | None:
        if not self.tenant_bound:
            return self.runtime.control.session
        if scope is None:
            return None
        registry, tenant_id = self.runtime.tenants, scope.tenant_id
        return lambda: registry.session(tenant_id)


def _health_endpoint(name: str) -> Any:
    async def health(_: HTTPConnection) -> JSONResponse:
        return JSONResponse({"status": "alive", "service": name})

    return health


def _ready_endpoint(name: str, checks: Mapping[str, ReadinessCheck]) -> Any:
    async def run(check: ReadinessCheck) -> str:
        try:
            await asyncio.wait_for(check(), READY_TIMEOUT)
        except Exception as exc:
            return f"failed: {type(exc).__name__}"
        return "ok"

    async def ready(_: HTTPConnection) -> JSONResponse:
        names = list(checks)
        results = await asyncio.gather(*(run(checks[n]) for n in names))
        report = dict(zip(names, results, strict=True))
        ok = all(result == "ok" for result in results)
        body = {"status": "ready" if ok else "unavailable", "service": name, "checks": report}
        return JSONResponse(body, status_code=200 if ok else 503)

    return ready


def build_subgraph_app(
    schema: strawberry.federation.Schema,
    runtime: Runtime,
    *,
    name: str,
    deps: D,
    tenant_bound: bool = True,
    routes: Sequence[BaseRoute] = (),
    multipart_uploads: bool = False,
) -> Starlette:
    """Wire one subgraph: `/graphql` (HTTP and WebSocket), `/health`, `/ready`.

    A tenant-bound subgraph opens sessions on the request tenant's database through the
    runtime's registry; the tenants subgraph (`tenant_bound=False`) uses the control database.
    `routes` are mounted beside them (file downloads); `multipart_uploads` accepts the GraphQL
    multipart request spec on /graphql (only subgraphs taking `Upload` arguments).
    """
    if runtime.scopes.authenticator is None:
        runtime.scopes.authenticator = authenticator_from_env(redis=runtime.redis)
    graphql = _SubgraphGraphQL(schema, runtime, deps, tenant_bound, multipart_uploads)
    all_routes: list[BaseRoute] = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/health", _health_endpoint(name)),
        Route("/ready", _ready_endpoint(name, runtime.readiness_checks())),
        *routes,
    ]
    app = Starlette(routes=all_routes)
    app.add_middleware(RequestIdMiddleware)
    return app
