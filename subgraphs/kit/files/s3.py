"""An S3-compatible backend (AWS S3, MinIO, Ceph, R2) on aiobotocore.

Keys are `<prefix><tenant id>/<key>`; one client per process, opened lazily.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import IO, Any

from aiobotocore.session import get_session
from botocore.exceptions import ClientError

from subgraphs.kit.files.config import S3Config
from subgraphs.kit.files.storage import CHUNK_BYTES, check_address

__all__ = ["S3Storage"]


class S3Storage:
    def __init__(self, config: S3Config) -> None:
        self.config = config
        self._stack = contextlib.AsyncExitStack()
        self._client: Any = None
        self._lock = asyncio.Lock()

    def object_key(self, tenant_id: str, key: str) -> str:
        tenant, key = check_address(tenant_id, key)
        return f"{self.config.prefix}{tenant}/{key}"

    async def _s3(self) -> Any:
        async with self._lock:
            if self._client is None:
                session = get_session()
                self._client = await self._stack.enter_async_context(
                    session.create_client(
                        "s3",
                        endpoint_url=self.config.endpoint_url,
                        region_name=self.config.region,
                        aws_access_key_id=self.config.access_key,
                        aws_secret_access_key=self.config.secret_key,
                    )
                )
            return self._client

    async def put(self, tenant_id: str, key: str, data: IO[bytes], content_type: str) -> None:
        client = await self._s3()
        await client.put_object(
            Bucket=self.config.bucket,
            Key=self.object_key(tenant_id, key),
            Body=data,
            ContentType=content_type,
        )

    async def read(self, tenant_id: str, key: str) -> AsyncIterator[bytes]:
        client = await self._s3()
        try:
            response = await client.get_object(
                Bucket=self.config.bucket, Key=self.object_key(tenant_id, key)
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                raise FileNotFoundError(key) from exc
            raise
        body = response["Body"]
        async with body:  # releases the connection, even when the reader stops early
            async for chunk in body.iter_chunks(CHUNK_BYTES):
                yield chunk

    async def delete(self, tenant_id: str, key: str) -> None:
        client = await self._s3()
        await client.delete_object(Bucket=self.config.bucket, Key=self.object_key(tenant_id, key))

    async def aclose(self) -> None:
        await self._stack.aclose()
        self._client = None
