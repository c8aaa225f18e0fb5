"""The storage port and the local filesystem backend.

Objects are addressed by (tenant id, key), where the key is a random hex name chosen by
`new_key()`: the client's file name never reaches a path, and both parts are validated before
any path is built, so no input can leave the tenant's directory.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO, Protocol

__all__ = ["CHUNK_BYTES", "LocalStorage", "StorageBackend", "StorageKeyError", "new_key"]

CHUNK_BYTES = 64 * 1024
_KEY = re.compile(r"^[0-9a-f]{32}$")


class StorageKeyError(ValueError):
    """A tenant id or key that `new_key()`/a UUID could not have produced."""


def new_key() -> str:
    return secrets.token_hex(16)


def check_address(tenant_id: str, key: str) -> tuple[str, str]:
    try:
        tenant = str(uuid.UUID(tenant_id))
    except ValueError as exc:
        raise StorageKeyError(f"invalid tenant id {tenant_id!r}") from exc
    if not _KEY.fullmatch(key):
        raise StorageKeyError(f"invalid storage key {key!r}")
    return tenant, key


class StorageBackend(Protocol):
    """Where file bytes live. Implementations scope every object by tenant."""

    async def put(self, tenant_id: str, key: str, data: IO[bytes], content_type: str) -> None: ...

    def read(self, tenant_id: str, key: str) -> AsyncIterator[bytes]:
        """The object's bytes in chunks; raises `FileNotFoundError` when it does not exist."""
        ...

    async def delete(self, tenant_id: str, key: str) -> None: ...

    async def aclose(self) -> None: ...


class LocalStorage:
    """`<root>/<tenant id>/<key[:2]>/<key>`, written to a temporary name then renamed."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def path(self, tenant_id: str, key: str) -> Path:
        tenant, key = check_address(tenant_id, key)
        return self.root / tenant / key[:2] / key

    async def put(self, tenant_id: str, key: str, data: IO[bytes], content_type: str) -> None:
        await asyncio.to_thread(self._write, self.path(tenant_id, key), data)

    @staticmethod
    def _write(target: Path, data: IO[bytes]) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
        try:
            with partial.open("wb") as out:
                while chunk := data.read(CHUNK_BYTES):
                    out.write(chunk)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)

    async def read(self, tenant_id: str, key: str) -> AsyncIterator[bytes]:
        path = self.path(tenant_id, key)
        handle = await asyncio.to_thread(path.open, "rb")
        try:
            while chunk := await asyncio.to_thread(handle.read, CHUNK_BYTES):
                yield chunk
        finally:
            handle.close()

    async def delete(self, tenant_id: str, key: str) -> None:
        path = self.path(tenant_id, key)
        await asyncio.to_thread(path.unlink, True)

    async def aclose(self) -> None:
        return None
