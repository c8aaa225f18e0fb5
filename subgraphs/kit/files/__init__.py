"""File storage for subgraphs: limits, sniffing, safe names, backends and signed URLs.

`ingest()` turns an upload into a checked `Blob`; a `StorageBackend` (`LocalStorage` by
default, `S3Storage` by configuration) stores it under the tenant; `sign_download()` /
`verify_download()` make and check expiring download tokens. See docs/files.md.
"""

from __future__ import annotations

from subgraphs.kit.files.config import FilesConfig, S3Config
from subgraphs.kit.files.errors import (
    FileContentMismatchError,
    FileEmptyError,
    FileError,
    FileErrorCode,
    FileMissingError,
    FileRequiredError,
    FileTooLargeError,
    FileTypeNotAllowedError,
    QuotaExceededError,
)
from subgraphs.kit.files.ingest import Blob, ingest
from subgraphs.kit.files.names import sanitize_filename
from subgraphs.kit.files.signing import (
    DownloadGrant,
    TokenError,
    TokenProblem,
    sign_download,
    verify_download,
)
from subgraphs.kit.files.sniff import check_content, normalize_type
from subgraphs.kit.files.storage import LocalStorage, StorageBackend, StorageKeyError, new_key

__all__ = [
    "Blob",
    "DownloadGrant",
    "FileContentMismatchError",
    "FileEmptyError",
    "FileError",
    "FileErrorCode",
    "FileMissingError",
    "FileRequiredError",
    "FileTooLargeError",
    "FileTypeNotAllowedError",
    "FilesConfig",
    "LocalStorage",
    "QuotaExceededError",
    "S3Config",
    "StorageBackend",
    "StorageKeyError",
    "TokenError",
    "TokenProblem",
    "build_storage",
    "check_content",
    "ingest",
    "new_key",
    "normalize_type",
    "sanitize_filename",
    "sign_download",
    "verify_download",
]


def build_storage(config: FilesConfig) -> StorageBackend:
    """The configured backend (S3 imported only when used)."""
    if config.backend == "s3" and config.s3 is not None:
        from subgraphs.kit.files.s3 import S3Storage

        return S3Storage(config.s3)
    return LocalStorage(config.root)
