"""Content sniffing: the bytes, the declared type and the name's extension must agree.

A `.png` that is really a Windows executable, or `notes.txt` that is really HTML, is refused:
browsers and virus scanners trust what the bytes say, not what the client declared.
"""

from __future__ import annotations

import mimetypes

import filetype

from subgraphs.kit.files.errors import FileContentMismatchError, FileTypeNotAllowedError

__all__ = ["HEAD_BYTES", "check_content", "normalize_type"]

HEAD_BYTES = 8192
_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "text/x-csv": "text/csv"}
# types whose bytes carry no magic number: accepted when they look like plain text
_TEXTUAL = frozenset({"text/plain", "text/csv", "text/markdown", "application/json"})
# markup a browser may render (and run) even when served as text
_ACTIVE_MARKERS = (b"<html", b"<!doctype", b"<script", b"<svg", b"<?xml", b"<iframe", b"<body")


def normalize_type(raw: str | None) -> str:
    media = (raw or "").split(";", 1)[0].strip().lower()
    return _ALIASES.get(media, media)


def check_content(head: bytes, declared: str, name: str, allowed: frozenset[str]) -> str:
    """The accepted content type (normalised), or raise why the file is refused."""
    content_type = normalize_type(declared)
    if content_type not in allowed:
        raise FileTypeNotAllowedError(field="file", content_type=content_type or "unknown")
    by_name = normalize_type(mimetypes.guess_type(name, strict=False)[0])
    if by_name and by_name != content_type and not _compatible_text(by_name, content_type):
        reason = f"the name says {by_name}"
        raise FileContentMismatchError(field="file", content_type=content_type, reason=reason)
    kind = filetype.guess(head)
    if kind is not None:
        sniffed = normalize_type(kind.mime)
        if sniffed != content_type:
            reason = f"the bytes are {sniffed}"
            raise FileContentMismatchError(field="file", content_type=content_type, reason=reason)
        return content_type
    if content_type not in _TEXTUAL:
        reason = "the bytes are not recognisable as that type"
        raise FileContentMismatchError(field="file", content_type=content_type, reason=reason)
    _require_plain_text(head, content_type)
    return content_type


def _compatible_text(by_name: str, declared: str) -> bool:
    # `.log`, `.md`, `.json` uploaded as text/plain are still plain text
    return declared == "text/plain" and by_name in _TEXTUAL


def _require_plain_text(head: bytes, content_type: str) -> None:
    if b"\x00" in head:
        raise FileContentMismatchError(
            field="file", content_type=content_type, reason="binary bytes in a text file"
        )
    lowered = head.lstrip()[:1024].lower()
    if any(marker in lowered for marker in _ACTIVE_MARKERS):
        raise FileContentMismatchError(
            field="file", content_type=content_type, reason="the bytes are markup (HTML/SVG)"
        )
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # a multi-byte character cut at the end of the head
            raise FileContentMismatchError(
                field="file", content_type=content_type, reason="not UTF-8 text"
            ) from exc
