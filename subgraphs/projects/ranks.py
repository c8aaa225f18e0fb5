"""Fractional ranks: lexicographic keys such that a key always fits between two others.

Base-36 digits, compared as plain strings (`COLLATE "C"` order on PostgreSQL, binary on
SQLite), never ending in "0" so that there is always room between two keys (the midpoint of
the fractional-indexing algorithm by Greenspan/Figma). Moving a card writes one row; when keys
grow past `MAX_RANK_LENGTH`, only a small neighbourhood is respaced (`keys_between`).
"""

from __future__ import annotations

DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
BASE = len(DIGITS)
MAX_RANK_LENGTH = 24
_APPEND_WIDTH = 6
_APPEND_STEP = BASE**2

__all__ = ["MAX_RANK_LENGTH", "keys_between", "rank_after", "rank_between"]


def _check(key: str) -> None:
    if key.endswith("0") or any(c not in DIGITS for c in key):
        raise ValueError(f"invalid rank {key!r}")


def _midpoint(a: str, b: str | None) -> str:
    if b is not None:
        n = 0
        while n < len(b) and (a[n] if n < len(a) else "0") == b[n]:
            n += 1
        if n > 0:
            return b[:n] + _midpoint(a[n:], b[n:])
    digit_a = DIGITS.index(a[0]) if a else 0
    digit_b = DIGITS.index(b[0]) if b is not None else BASE
    if digit_b - digit_a > 1:
        return DIGITS[(digit_a + digit_b + 1) // 2]
    if b is not None and len(b) > 1:
        return b[:1]
    return DIGITS[digit_a] + _midpoint(a[1:], None)


def rank_between(a: str | None, b: str | None) -> str:
    """A key strictly between `a` and `b` (None: open end)."""
    low = a or ""
    _check(low)
    if b is not None:
        _check(b)
        if b <= low:
            raise ValueError(f"{a!r} is not below {b!r}")
    return _midpoint(low, b)


def rank_after(a: str | None) -> str:
    """A short key after `a` for appends: steps a fixed-width prefix so that appending many
    cards keeps keys at about six characters (the midpoint alone would grow them)."""
    low = a or ""
    _check(low)
    head = (low + "0" * _APPEND_WIDTH)[:_APPEND_WIDTH]
    value = int(head, BASE) + _APPEND_STEP
    if value >= BASE**_APPEND_WIDTH:
        return _midpoint(low, None)
    digits = []
    for _ in range(_APPEND_WIDTH):
        value, rest = divmod(value, BASE)
        digits.append(DIGITS[rest])
    return "".join(reversed(digits)).rstrip("0")


def keys_between(a: str | None, b: str | None, count: int) -> list[str]:
    """`count` evenly spread keys between `a` and `b`, in order (for rebalancing)."""
    if count <= 0:
        return []
    middle = rank_between(a, b)
    half = count // 2
    return [*keys_between(a, middle, half), middle, *keys_between(middle, b, count - half - 1)]
