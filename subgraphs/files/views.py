"""`GET /files/{token}`: stream a file named by a signed, unexpired download token.

The tenant comes from the verified token only; the file is looked up in that tenant's
database, so a token can never serve another tenant's file. Answers: 200 with the bytes,
403 (malformed or forged token), 410 (expired), 404 (no such file), 503 (tenant unavailable).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from subgraphs.files import service
from subgraphs.files.deps import FilesDeps
from subgraphs.kit.errors import DomainError
from subgraphs.kit.files import FileMissingError, TokenError, TokenProblem, verify_download
from subgraphs.kit.ids import parse_tenant_id
from subgraphs.kit.runtime import Runtime

__all__ = ["download_route"]

_STATUS = {TokenProblem.EXPIRED: 410, TokenProblem.BAD_SIGNATURE: 403, TokenProblem.MALFORMED: 403}
_MESSAGES = {
    TokenProblem.EXPIRED: "This download link has expired; ask for a new one.",
    TokenProblem.BAD_SIGNATURE: "This download link is not valid.",
    TokenProblem.MALFORMED: "This download link is not valid.",
}


def _refusal(status: int, code: str, message: str) -> JSONResponse:
    headers = {"cache-control": "no-store", "x-content-type-options": "nosniff"}
    return JSONResponse({"error": {"code": code, "message": message}}, status, headers=headers)


def _disposition(name: str) -> str:
    ascii_name = name.encode("ascii", "ignore").decode().replace('"', "").replace("\\", "")
    return f"attachment; filename=\"{ascii_name or 'file'}\"; filename*=UTF-8''{quote(name)}"


def download_route(runtime: Runtime, deps: FilesDeps) -> Route:
    async def download(request: Request) -> Response:
        try:
            grant = verify_download(deps.config.signing_secret, request.path_params["token"])
        except TokenError as error:
            code = f"DOWNLOAD_URL_{error.problem.value}"
            return _refusal(_STATUS[error.problem], code, _MESSAGES[error.problem])
        tenant_id = parse_tenant_id(grant.tenant_id)
        try:
            file_id = uuid.UUID(grant.file_id)
            if tenant_id is None:
                raise FileMissingError(id=grant.file_id)
            await runtime.scopes.scope_for(tenant_id)  # ACTIVE tenants only
            async with runtime.tenants.session(tenant_id) as session:
                found = await service.open_download(deps, session, str(tenant_id), file_id)
        except (FileMissingError, ValueError):
            return _refusal(404, "FILE_NOT_FOUND", "No such file.")
        except DomainError as error:
            return _refusal(503, error.code_name, str(error))
        headers = {
            "content-length": str(found.size),
            "content-disposition": _disposition(found.name),
            "x-content-type-options": "nosniff",
            "content-security-policy": "default-src 'none'; sandbox",
            "cache-control": "private, max-age=0, no-store",
            "etag": f'"{found.sha256}"',
        }
        return StreamingResponse(
            _guarded(found.chunks), media_type=found.content_type, headers=headers
        )

    return Route("/files/{token}", download, methods=["GET", "HEAD"])


async def _guarded(chunks: AsyncIterator[bytes]) -> AsyncIterator[Any]:
    async for chunk in chunks:
        yield chunk
