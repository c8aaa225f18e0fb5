"""Errors of file storage (kit-level: every subgraph storing files raises these).

DomainError
└── FileError                 a refused or missing file
    ├── FileTooLargeError     more bytes than the configured limit
    ├── FileTypeNotAllowedError  the declared type is not on the allow-list
    ├── FileContentMismatchError the bytes are not what the type or name claims
    ├── FileEmptyError        zero bytes
    ├── FileRequiredError     no file part (a JSON request naming the file with a string)
    ├── FileMissingError      no such file in this tenant
    └── QuotaExceededError    the tenant's stored bytes would pass its quota
"""

from __future__ import annotations

from enum import StrEnum

from subgraphs.kit.errors import DomainError

__all__ = [
    "FileContentMismatchError",
    "FileEmptyError",
    "FileError",
    "FileErrorCode",
    "FileMissingError",
    "FileRequiredError",
    "FileTooLargeError",
    "FileTypeNotAllowedError",
    "QuotaExceededError",
]


class FileErrorCode(StrEnum):
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    FILE_TYPE_NOT_ALLOWED = "FILE_TYPE_NOT_ALLOWED"
    FILE_CONTENT_MISMATCH = "FILE_CONTENT_MISMATCH"
    FILE_EMPTY = "FILE_EMPTY"
    FILE_NOT_FOUND = "FILE_NOT_FOUND"
    FILE_REQUIRED = "FILE_REQUIRED"
    QUOTA_EXCEEDED = "QUOTA_EXCEEDED"


class FileError(DomainError):
    code = FileErrorCode.FILE_NOT_FOUND


class FileTooLargeError(FileError):
    code = FileErrorCode.FILE_TOO_LARGE
    message = "The file is larger than the limit of {limit} bytes."


class FileTypeNotAllowedError(FileError):
    code = FileErrorCode.FILE_TYPE_NOT_ALLOWED
    message = "Files of type {content_type} are not accepted."


class FileContentMismatchError(FileError):
    code = FileErrorCode.FILE_CONTENT_MISMATCH
    message = "The file's content does not match its declared type {content_type} ({reason})."


class FileEmptyError(FileError):
    code = FileErrorCode.FILE_EMPTY
    message = "The file is empty."


class FileRequiredError(FileError):
    code = FileErrorCode.FILE_REQUIRED
    message = "Send the file as a multipart request (GraphQL multipart request spec)."


class FileMissingError(FileError):
    code = FileErrorCode.FILE_NOT_FOUND
    message = "File {id} does not exist."


class QuotaExceededError(FileError):
    code = FileErrorCode.QUOTA_EXCEEDED
    message = (
        "Storing this file ({size} bytes) would pass the tenant's storage quota of {limit} bytes"
        " ({used} bytes used); delete files to make room."
    )
