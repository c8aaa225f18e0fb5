"""Client file names are metadata only: sanitised for display and Content-Disposition, never
used in a storage path."""

from __future__ import annotations

import unicodedata

__all__ = ["MAX_NAME_BYTES", "sanitize_filename"]

MAX_NAME_BYTES = 200
_RESERVED = set('<>:"/\\|?*')
_FALLBACK = "file"


def sanitize_filename(raw: str | None) -> str:
    """A safe display name: last path segment, no control/format characters, no reserved
    characters, no leading dots, at most `MAX_NAME_BYTES` UTF-8 bytes (extension kept)."""
    text = unicodedata.normalize("NFC", raw or "")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(
        "_" if ch in _RESERVED else ch
        for ch in text
        if unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
    )
    cleaned = " ".join(cleaned.split()).lstrip(". ").rstrip(". ")
    if not cleaned:
        return _FALLBACK
    return _truncate(cleaned)


def _truncate(name: str) -> str:
    if len(name.encode()) <= MAX_NAME_BYTES:
        return name
    stem, dot, ext = name.rpartition(".")
    suffix = f".{ext}" if dot and stem and len(ext.encode()) <= 16 else ""
    base = stem if suffix else name
    budget = MAX_NAME_BYTES - len(suffix.encode())
    cut = base.encode()[:budget].decode("utf-8", "ignore").rstrip(". ")
    return (cut or _FALLBACK) + suffix
