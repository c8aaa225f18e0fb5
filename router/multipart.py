"""File uploads: the GraphQL multipart request spec on POST /graphql.

    operations  the GraphQL request (JSON), with `null` where files go
    map         {"0": ["variables.file"], ...}: which file fills which variable path
    0, 1, ...   the files

The router reads the body once within `uploads.max_request_bytes` (files spooled to temporary
files past 1 MiB, so memory stays bounded; each file within `uploads.max_file_bytes`), puts a
per-request placeholder where each file goes, then runs the ordinary pipeline (policies,
validation, planning). The fetch whose variables carry placeholders is re-encoded as a multipart
request to its subgraph with the files streamed from disk; every other fetch goes over the usual
client. An upload needed by fetches to more than one subgraph is refused with
`UPLOAD_NEEDS_SEVERAL_SUBGRAPHS` before anything runs.
Multipart is a CORS "simple" content type, so the CSRF preflight header is always required.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

import httpx
import orjson
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from router.pipeline import (
    GraphQLRequest,
    PreparedOperation,
    RequestContext,
    RequestError,
    Router,
    RouterHook,
)
from router.plan import Condition, Fetch, Flatten, Parallel, PlanNode, Sequence, Subscription
from router.policies import csrf, refusals
from router.routes_config import UploadsConfig
from router.transport import (
    FailureKind,
    SubgraphClient,
    SubgraphFailure,
    SubgraphRequest,
    SubgraphResponse,
)

MULTIPART = "multipart/form-data"
SEVERAL_SUBGRAPHS = "UPLOAD_NEEDS_SEVERAL_SUBGRAPHS"
_PLACEHOLDER = "__router_upload__"

__all__ = [
    "SEVERAL_SUBGRAPHS",
    "Upload",
    "UploadError",
    "UploadsConfig",
    "execute_upload",
    "is_multipart",
    "read_upload",
    "serve_upload",
]


class UploadError(Exception):
    """A multipart request refused before the pipeline (HTTP status + message)."""

    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or (UPLOAD_TOO_LARGE if status == 413 else "BAD_REQUEST")


@dataclass(slots=True)
class Upload:
    """A parsed multipart request: the GraphQL request with placeholders, and the files."""

    request: GraphQLRequest
    files: dict[str, UploadFile]  # placeholder -> file
    variables: frozenset[str]  # top-level variable names that receive files
    _open: list[UploadFile] = field(default_factory=list)

    async def aclose(self) -> None:
        for upload in self._open:
            with contextlib.suppress(Exception):
                await upload.close()


def is_multipart(headers: Mapping[str, str]) -> bool:
    content_type = headers.get("content-type", "")
    return content_type.split(";", 1)[0].strip().lower() == MULTIPART


# ---- reading -------------------------------------------------------------------------------


async def read_upload(
    scope: Scope, receive: Receive, headers: Mapping[str, str], limits: UploadsConfig
) -> Upload:
    """Parse the body (bounded by `limits`) into an `Upload`; raises `UploadError`."""
    length = headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > limits.max_request_bytes:
        raise UploadError(413, "Upload too large")
    form_scope = {k: v for k, v in scope.items() if k != "app"}  # parse errors stay ours
    request = Request(form_scope, _bounded(receive, limits.max_request_bytes))
    try:
        form = await request.form(max_files=limits.max_files, max_fields=16)
    except _TooLargeError as exc:
        raise UploadError(413, "Upload too large") from exc
    except (MultiPartException, HTTPException, ValueError) as exc:
        raise UploadError(400, f"Invalid multipart body: {_detail(exc)}") from exc
    opened = [v for _, v in form.multi_items() if isinstance(v, UploadFile)]
    try:
        for upload in opened:
            if (upload.size or 0) > limits.max_file_bytes:
                limit = limits.max_file_bytes
                raise UploadError(413, f"File {upload.filename!r} is larger than {limit} bytes")
        return _build(form, opened)
    except UploadError:
        for upload in opened:
            await upload.close()
        raise


def _detail(exc: Exception) -> str:
    return str(getattr(exc, "detail", None) or getattr(exc, "message", None) or exc)


class _TooLargeError(Exception):
    pass


def _bounded(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def bounded() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b"") or b"")
        if seen > limit:
            raise _TooLargeError
        return message

    return bounded


def _build(form: Any, opened: list[UploadFile]) -> Upload:
    operations = _json_field(form, "operations")
    mapping = _json_field(form, "map")
    if isinstance(operations, list):
        raise UploadError(400, "Batched operations are not supported with uploads")
    if not isinstance(operations, dict) or not isinstance(mapping, dict):
        raise UploadError(400, "'operations' must be an object and 'map' an object")
    if not mapping:
        raise UploadError(400, "A multipart request must carry at least one file in 'map'")
    variables = operations.get("variables") or {}
    if not isinstance(variables, dict):
        raise UploadError(400, "'variables' must be an object")
    nonce = secrets.token_hex(8)
    files: dict[str, UploadFile] = {}
    names: set[str] = set()
    for index, (key, paths) in enumerate(mapping.items()):
        upload = form.get(key)
        if not isinstance(upload, UploadFile):
            raise UploadError(400, f"File {key!r} named in 'map' is missing")
        if not isinstance(paths, list) or not paths:
            raise UploadError(400, f"'map' entry {key!r} must be a non-empty list of paths")
        placeholder = f"{_PLACEHOLDER}{nonce}_{index}"
        files[placeholder] = upload
        for path in paths:
            names.add(_place(variables, path, placeholder))
    query = operations.get("query")
    if not isinstance(query, str):
        raise UploadError(400, "'query' must be a string")
    name = operations.get("operationName")
    request = GraphQLRequest(
        query, name if isinstance(name, str) else None, variables, operations.get("extensions")
    )
    return Upload(request, files, frozenset(names), opened)


def _json_field(form: Any, name: str) -> Any:
    raw = form.get(name)
    if not isinstance(raw, str):
        raise UploadError(400, f"Missing '{name}' field (GraphQL multipart request spec)")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise UploadError(400, f"'{name}' is not valid JSON") from exc


def _place(variables: dict[str, Any], path: Any, placeholder: str) -> str:
    """Put `placeholder` at `variables.a.b.0`; returns the top-level variable name."""
    parts = path.split(".") if isinstance(path, str) else []
    if len(parts) < 2 or parts[0] != "variables":
        raise UploadError(400, f"Unsupported 'map' path {path!r} (expected variables.<name>...)")
    target: Any = variables
    for i, part in enumerate(parts[1:], start=1):
        last = i == len(parts) - 1
        if isinstance(target, list) and part.isdigit() and int(part) < len(target):
            key: Any = int(part)
        elif isinstance(target, dict):
            key = part
            if not last and part not in target:
                raise UploadError(400, f"'map' path {path!r} does not exist in the variables")
        else:
            raise UploadError(400, f"'map' path {path!r} does not exist in the variables")
        if last:
            target[key] = placeholder
        else:
            target = target[key]
    return str(parts[1])


# ---- execution -----------------------------------------------------------------------------


class _UploadPlanCheck(RouterHook):
    """Refuse, before any fetch runs, an upload the plan would send to several subgraphs."""

    def __init__(self, upload: Upload) -> None:
        self.upload = upload

    def on_prepared(self, prepared: PreparedOperation, context: RequestContext) -> None:
        fetches = [
            f
            for f in _fetches(prepared.plan.node)
            if set(f.variable_usages) & self.upload.variables
        ]
        services = {f.service_name for f in fetches}
        if len(fetches) > 1:
            error = RequestError(
                "Files can be uploaded to one subgraph per request; this operation sends them "
                f"to {', '.join(sorted(services))}.",
                SEVERAL_SUBGRAPHS,
            )
            error.errors[0]["extensions"]["subgraphs"] = sorted(services)
            raise error


def _fetches(node: PlanNode | Subscription | None) -> Iterator[Fetch]:
    match node:
        case Fetch():
            yield node
        case Flatten():
            yield from _fetches(node.node)
        case Sequence() | Parallel():
            for child in node.nodes:
                yield from _fetches(child)
        case Condition():
            yield from _fetches(node.if_clause)
            yield from _fetches(node.else_clause)
        case Subscription():
            yield from _fetches(node.primary)
            yield from _fetches(node.rest)
        case _:
            return


class _UploadClient:
    """Sends the fetch carrying placeholders as a multipart request; delegates the rest."""

    def __init__(self, inner: SubgraphClient, upload: Upload, timeout: float) -> None:
        self.inner = inner
        self.upload = upload
        self.timeout = timeout
        self.marker = next(iter(upload.files), "").rsplit("_", 1)[0].encode()

    async def execute(self, request: SubgraphRequest) -> SubgraphResponse:
        if not self.marker or self.marker not in request.body:
            return await self.inner.execute(request)
        operations = orjson.loads(request.body)
        mapping: dict[str, list[str]] = {}
        variables = operations.get("variables") or {}
        operations["variables"] = _strip(variables, "variables", mapping, self.upload.files)
        keys = {placeholder: str(i) for i, placeholder in enumerate(mapping)}
        files: dict[str, tuple[str, IO[bytes], str]] = {}
        for placeholder, key in keys.items():
            upload = self.upload.files[placeholder]
            await upload.seek(0)
            files[key] = (
                upload.filename or "file",
                upload.file,
                upload.content_type or "application/octet-stream",
            )
        form = {
            "operations": orjson.dumps(operations).decode(),
            "map": orjson.dumps({keys[p]: paths for p, paths in mapping.items()}).decode(),
        }
        headers = dict(request.headers)
        headers["apollo-require-preflight"] = "true"
        headers["accept"] = "application/graphql-response+json, application/json"
        return await self._post(request.url, form, files, headers)

    async def _post(
        self,
        url: str,
        form: dict[str, str],
        files: dict[str, tuple[str, IO[bytes], str]],
        headers: dict[str, str],
    ) -> SubgraphResponse:
        try:
            async with httpx.AsyncClient(timeout=self.timeout, trust_env=False) as client:
                response = await client.post(url, data=form, files=files, headers=headers)
        except httpx.TimeoutException:
            return _failed(FailureKind.TIMEOUT, "subgraph timed out taking the upload")
        except httpx.HTTPError as exc:
            return _failed(FailureKind.CONNECT, f"upload to subgraph failed: {exc}")
        body = response.content
        if response.status_code != 200 and not body.lstrip().startswith(b"{"):
            failure = SubgraphFailure(
                FailureKind.HTTP_STATUS,
                f"subgraph answered HTTP {response.status_code}",
                response.status_code,
            )
            return SubgraphResponse(body, failure, response.status_code)
        return SubgraphResponse(body, None, response.status_code)

    async def aclose(self) -> None:
        return None


def _strip(
    value: Any, path: str, mapping: dict[str, list[str]], files: Mapping[str, object]
) -> Any:
    """`value` with this request's placeholders replaced by null, their paths in `mapping`."""
    if isinstance(value, str) and value in files:
        mapping.setdefault(value, []).append(path)
        return None
    if isinstance(value, dict):
        return {k: _strip(v, f"{path}.{k}", mapping, files) for k, v in value.items()}
    if isinstance(value, list):
        return [_strip(v, f"{path}.{i}", mapping, files) for i, v in enumerate(value)]
    return value


def _failed(kind: FailureKind, message: str) -> SubgraphResponse:
    return SubgraphResponse(b"", SubgraphFailure(kind, message))


async def execute_upload(
    router: Router, upload: Upload, context: RequestContext, limits: UploadsConfig
) -> tuple[RequestError | None, dict[str, Any]]:
    """Run the upload's request through the router's pipeline with the upload client."""
    client = _UploadClient(router.client, upload, limits.timeout)
    hooks = (*router.hooks, _UploadPlanCheck(upload))
    per_request = Router(router.config, client, hooks, state=router.state, planner=router.planner)
    return await per_request.handle(upload.request, context)


# ---- serving -------------------------------------------------------------------------------

UPLOAD_TOO_LARGE = "UPLOAD_TOO_LARGE"
UPLOADS_DISABLED = "UPLOADS_DISABLED"
_GRAPHQL_RESPONSE = "application/graphql-response+json"


async def serve_upload(
    endpoint: Any,
    scope: Scope,
    receive: Receive,
    send: Send,
    headers: dict[str, str],
    media: str | None,
) -> None:
    """POST /graphql with multipart/form-data (`endpoint` is the router's `GraphQLEndpoint`).

    Multipart is a CORS "simple" content type, so the CSRF preflight header is required
    whatever `csrf` is set to: a page on another site must not be able to post files."""
    incoming = headers if endpoint.request_ids else None
    try:
        if csrf.is_blocked(headers):
            raise UploadError(400, csrf.MESSAGE, csrf.CODE)
        if not endpoint.uploads.enabled:
            raise UploadError(415, "File uploads are disabled on this router", UPLOADS_DISABLED)
        if media is None:
            raise UploadError(406, "Accept application/graphql-response+json or application/json")
        upload = await read_upload(scope, receive, headers, endpoint.uploads)
    except UploadError as exc:
        body, extra = refusals.http_refusal(exc.message, exc.code, incoming)
        await _send(send, exc.status, body, media or "application/json", extra)
        return
    try:
        context = RequestContext(
            headers=tuple(sorted((k, v) for k, v in headers.items() if k in endpoint.propagate)),
            method="POST",
            debug_plan=endpoint.debug_header
            and headers.get("x-router-debug-plan") in ("1", "true"),
            request_headers=headers,
        )
        error, response = await execute_upload(endpoint.router, upload, context, endpoint.uploads)
    finally:
        await upload.aclose()
    status = 200
    if error is not None:
        status = error.status if media == _GRAPHQL_RESPONSE else error.legacy_status
    await _send(send, status, orjson.dumps(response), media, context.response_headers)


async def _send(
    send: Send, status: int, body: bytes, media: str, extra: list[tuple[bytes, bytes]]
) -> None:
    headers = [
        (b"content-type", f"{media}; charset=utf-8".encode()),
        (b"content-length", str(len(body)).encode()),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
