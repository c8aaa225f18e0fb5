"""`ingest`: read an upload once, bounded in memory, into a checked `Blob`.

Bytes are counted against the size limit as they arrive (the read stops at the limit), hashed
with SHA-256, and spooled to a temporary file past 1 MiB; the first bytes are kept for sniffing.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import IO

from subgraphs.kit.files.config import FilesConfig
from subgraphs.kit.files.errors import FileEmptyError, FileTooLargeError
from subgraphs.kit.files.names import sanitize_filename
from subgraphs.kit.files.sniff import HEAD_BYTES, check_content

__all__ = ["Blob", "ingest"]

SPOOL_BYTES = 1024 * 1024


@dataclass(slots=True)
class Blob:
    """A checked upload: safe name, accepted type, size, SHA-256 and the bytes (rewound)."""

    name: str
    content_type: str
    size: int
    sha256: str
    data: IO[bytes]

    def close(self) -> None:
        self.data.close()


async def ingest(
    chunks: AsyncIterator[bytes], name: str | None, declared_type: str | None, config: FilesConfig
) -> Blob:
    """Read `chunks` into a `Blob`, or raise a `FileError` (too large, empty, wrong type)."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (returned)
    digest = hashlib.sha256()
    head = bytearray()
    size = 0
    try:
        async for chunk in chunks:
            size += len(chunk)
            if size > config.max_bytes:
                raise FileTooLargeError(field="file", limit=config.max_bytes)
            if len(head) < HEAD_BYTES:
                head += chunk[: HEAD_BYTES - len(head)]
            digest.update(chunk)
            spool.write(chunk)
        if size == 0:
            raise FileEmptyError(field="file")
        safe_name = sanitize_filename(name)
        content_type = check_content(
            bytes(head), declared_type or "", safe_name, config.allowed_types
        )
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return Blob(safe_name, content_type, size, digest.hexdigest(), spool)
