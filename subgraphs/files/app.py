"""Wiring of the files subgraph: `build_schema()` and `build_app(runtime)`."""

from __future__ import annotations

import strawberry
from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

from subgraphs.files.deps import FilesDeps
from subgraphs.files.resolvers import Mutation, Query
from subgraphs.files.types import File
from subgraphs.files.views import download_route
from subgraphs.kit.app import build_subgraph_app
from subgraphs.kit.federation import build_federated_schema
from subgraphs.kit.files import FilesConfig, build_storage
from subgraphs.kit.runtime import Runtime

NAME = "files"
PORT = 8003
FORM_OVERHEAD = 1024 * 1024  # operations, map and part headers around the file bytes


def build_schema() -> strawberry.federation.Schema:
    return build_federated_schema(query=Query, mutation=Mutation, types=[File])


def default_deps(runtime: Runtime) -> FilesDeps:
    deps = runtime.extras.get("files")
    if not isinstance(deps, FilesDeps):
        config = FilesConfig.from_env()
        deps = runtime.extras["files"] = FilesDeps(config=config, storage=build_storage(config))
    return deps


class BodyLimit:
    """Pure ASGI: refuse request bodies past `limit` bytes with 413 before they are parsed."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length", b"0")
        if length.isdigit() and int(length) > self.limit:
            await _too_large(send)
            return
        seen = 0

        async def limited() -> dict[str, object]:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b"") or b"")
            if seen > self.limit:
                raise TooLargeError
            return dict(message)

        try:
            await self.app(scope, limited, send)
        except TooLargeError:
            await _too_large(send)


class TooLargeError(Exception):
    pass


async def _too_large(send: Send) -> None:
    body = (
        b'{"errors":[{"message":"Request body too large","extensions":{"code":"FILE_TOO_LARGE"}}]}'
    )
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def build_app(runtime: Runtime, deps: FilesDeps | None = None) -> Starlette:
    deps = deps or default_deps(runtime)
    app = build_subgraph_app(
        build_schema(),
        runtime,
        name=NAME,
        deps=deps,
        routes=[download_route(runtime, deps)],
        multipart_uploads=True,
    )
    app.add_middleware(BodyLimit, limit=deps.config.max_bytes + FORM_OVERHEAD)
    return app
