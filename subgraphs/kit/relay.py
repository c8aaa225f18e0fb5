"""Relay connections and keyset cursor pagination."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

import strawberry

from subgraphs.kit.errors import InvalidCursorError

N = TypeVar("N")
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
_PREFIX = "cursor:"

__all__ = [
    "Connection",
    "Edge",
    "PageInfo",
    "connection_from_rows",
    "decode_cursor",
    "encode_cursor",
    "page_size",
]


@strawberry.federation.type(shareable=True)
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[N]):
    cursor: str
    node: N


@strawberry.type
class Connection(Generic[N]):
    edges: list[Edge[N]]
    page_info: PageInfo


def encode_cursor(key: str) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{key}".encode()).decode()


def decode_cursor(cursor: str | None) -> str | None:
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidCursorError(field="after") from exc
    if not raw.startswith(_PREFIX):
        raise InvalidCursorError(field="after")
    return raw[len(_PREFIX) :]


def page_size(first: int | None) -> int:
    """Requested page size clamped to 1..MAX_PAGE_SIZE."""
    return max(1, min(first or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE))


def connection_from_rows(
    rows: Sequence[N], *, size: int, key: Callable[[N], str], had_cursor: bool
) -> Connection[N]:
    """Build a connection from `size + 1` rows fetched after the cursor (the extra one says
    whether a next page exists)."""
    page = list(rows[:size])
    edges = [Edge(cursor=encode_cursor(key(node)), node=node) for node in page]
    info = PageInfo(
        has_next_page=len(rows) > size,
        has_previous_page=had_cursor,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return Connection(edges=edges, page_info=info)
